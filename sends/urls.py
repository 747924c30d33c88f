from django.urls import path
from rest_framework.routers import SimpleRouter

from sends import api

router = SimpleRouter()
router.register("sends", api.SendViewSet, basename="send")

urlpatterns = [
    path("sends/sms-status/", api.SmsStatusView.as_view(), name="send-sms-status"),
    *router.urls,
]
