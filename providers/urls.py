from rest_framework.routers import DefaultRouter

from providers import api

router = DefaultRouter()
router.register("organizations", api.OrganizationViewSet, basename="organization")
router.register("services", api.ServiceViewSet, basename="service")
router.register("locations", api.LocationViewSet, basename="location")
router.register("specialists", api.SpecialistViewSet, basename="specialist")
router.register("taxonomy", api.NeedTermViewSet, basename="needterm")
router.register("populations", api.PopulationViewSet, basename="population")
router.register("languages", api.LanguageViewSet, basename="language")

urlpatterns = router.urls
