"""Moderators' mapping of imported HSDS taxonomy terms to needs, under /api/ (config/urls.py)."""

from rest_framework.routers import SimpleRouter

from hsds.mapping_api import TaxonomyMappingViewSet

router = SimpleRouter()
router.register("taxonomy-mappings", TaxonomyMappingViewSet, basename="taxonomy-mapping")

urlpatterns = router.urls
