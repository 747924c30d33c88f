from django.urls import path

from web import coverage_views, listing_views, portal_views, referral_views, send_views, views

urlpatterns = [
    path("", views.search, name="home"),
    path("web/states.geojson", views.states_geojson, name="basemap-states"),
    path("web/basemap/places.json", views.places_json, name="basemap-places"),
    path("web/basemap/<int:x>/<int:y>.json", views.basemap_cell, name="basemap-cell"),
    path("listings/<str:location_id>/", listing_views.listing, name="listing"),
    path("print/", listing_views.print_sheet, name="print-sheet"),
    path("send/", send_views.send_new, name="send-new"),
    path("send/<uuid:send_id>/", send_views.send_status, name="send-status"),
    path("referrals/", referral_views.referral_list_page, name="referral-inbox"),
    path("portal/", portal_views.portal, name="portal"),
    path("portal/verify/", portal_views.portal_verify, name="portal-verify"),
    path("portal/capacity/<uuid:location_id>/", portal_views.portal_capacity, name="portal-capacity"),
    path("portal/edit/<str:record_type>/<uuid:record_id>/", portal_views.portal_edit, name="portal-edit"),
    path("portal/dates/<uuid:location_id>/", portal_views.portal_dates, name="portal-dates"),
    path("portal/accessibility/<uuid:location_id>/", portal_views.portal_accessibility, name="portal-accessibility"),
    path("moderation/", portal_views.moderation, name="moderation"),
    path("moderation/<str:kind>/<int:pk>/<str:decision>/", portal_views.moderation_review, name="moderation-review"),
    path(
        "moderation/duplicates/<uuid:pair_id>/not-a-duplicate/",
        portal_views.moderation_not_duplicate,
        name="moderation-not-duplicate",
    ),
    path("moderation/duplicates/<uuid:pair_id>/merge/", portal_views.moderation_merge, name="moderation-merge"),
    path("coverage/", coverage_views.coverage, name="coverage-page"),
    path("referrals/new/", referral_views.referral_new, name="referral-new"),
    path("referrals/<str:code>/act/<str:action>/", referral_views.referral_act, name="referral-act"),
]
