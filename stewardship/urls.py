from rest_framework.routers import SimpleRouter

from stewardship import api

router = SimpleRouter()  # not DefaultRouter: its root view would answer /api/ before the registry's
router.register("duplicates", api.DuplicateCandidateViewSet, basename="duplicate")
router.register("merges", api.MergeViewSet, basename="merge")

urlpatterns = router.urls
