from django.urls import path

from hsds import api

urlpatterns = [
    path("", api.HsdsRootView.as_view(), name="hsds-root"),
    path("services", api.ServicesView.as_view(), name="hsds-services"),
    path("services/<str:service_id>", api.ServiceView.as_view(), name="hsds-service"),
    path("organizations", api.OrganizationsView.as_view(), name="hsds-organizations"),
    path("organizations/<str:organization_id>", api.OrganizationView.as_view(), name="hsds-organization"),
    path("taxonomies", api.TaxonomiesView.as_view(), name="hsds-taxonomies"),
    path("taxonomies/<str:taxonomy_id>", api.TaxonomyView.as_view(), name="hsds-taxonomy"),
    path("taxonomy_terms", api.TaxonomyTermsView.as_view(), name="hsds-taxonomy-terms"),
    path("taxonomy_terms/<str:term_id>", api.TaxonomyTermView.as_view(), name="hsds-taxonomy-term"),
    path("service_at_locations", api.ServiceAtLocationsView.as_view(), name="hsds-service-at-locations"),
    path("service_at_locations/<str:offer_id>", api.ServiceAtLocationView.as_view(), name="hsds-service-at-location"),
]
