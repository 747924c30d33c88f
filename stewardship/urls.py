from rest_framework.routers import DefaultRouter

from stewardship import api

router = DefaultRouter()
router.register("duplicates", api.DuplicateCandidateViewSet, basename="duplicate")

urlpatterns = router.urls
