from django.urls import path

from web import referral_views, views

urlpatterns = [
    path("", views.search, name="home"),
    path("web/states.geojson", views.states_geojson, name="states-geojson"),
    path("referrals/", referral_views.referral_list_page, name="referral-inbox"),
    path("referrals/new/", referral_views.referral_new, name="referral-new"),
    path("referrals/<str:code>/act/<str:action>/", referral_views.referral_act, name="referral-act"),
]
