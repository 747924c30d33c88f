from rest_framework.routers import DefaultRouter

from providers import api, moderation_api

router = DefaultRouter()
router.register("organizations", api.OrganizationViewSet, basename="organization")
router.register("services", api.ServiceViewSet, basename="service")
router.register("locations", api.LocationViewSet, basename="location")
router.register("phones", api.PhoneViewSet, basename="phone")
router.register("change-requests", moderation_api.ChangeRequestViewSet, basename="change-request")
router.register("applications", moderation_api.ApplicationViewSet, basename="application")
router.register("invitations", moderation_api.InvitationViewSet, basename="invitation")
router.register("suggestions", moderation_api.SuggestionViewSet, basename="suggestion")
router.register("specialists", api.SpecialistViewSet, basename="specialist")
router.register("taxonomy", api.NeedTermViewSet, basename="needterm")
router.register("populations", api.PopulationViewSet, basename="population")
router.register("languages", api.LanguageViewSet, basename="language")
router.register("accessibility", api.AccessibilityViewSet, basename="accessibility")

urlpatterns = router.urls
