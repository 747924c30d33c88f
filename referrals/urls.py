from django.urls import path
from rest_framework.routers import SimpleRouter

from referrals import api

router = SimpleRouter()
router.register("referrals", api.ReferralViewSet, basename="referral")

urlpatterns = [
    path("reports/referrals/", api.ReferralReportView.as_view(), name="referral-report"),
    *router.urls,
]
