from django.urls import path

from web import views

urlpatterns = [
    path("", views.search, name="home"),
    path("web/states.geojson", views.states_geojson, name="states-geojson"),
]
