from django.urls import path

from coveragemap import api

urlpatterns = [
    path("coverage/", api.CoverageView.as_view(), name="coverage"),
    path("coverage/unmet/", api.UnmetView.as_view(), name="coverage-unmet"),
]
