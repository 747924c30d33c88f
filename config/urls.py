from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import ObtainTokenView
from accounts.views import SignInView, admin_login, two_factor_page
from core.health import healthz
from geo.api import GeocodeView
from matching.api import MatchView, SuggestView
from providers.views import invitation_page
from referrals.views import referral_page

urlpatterns = [
    path("", include("web.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/two-factor/", two_factor_page, name="two-factor"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("referrals/<str:code>/", referral_page, name="referral-page"),
    path("invitations/<str:token>/", invitation_page, name="invitation-page"),
    path("api/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/geocode/", GeocodeView.as_view(), name="geocode"),
    path("api/match/", MatchView.as_view(), name="match"),
    path("api/suggest/", SuggestView.as_view(), name="suggest"),
    path("hsds/", include("hsds.urls")),
    path("api/", include("referrals.urls")),
    path("api/", include("sends.urls")),
    path("api/", include("hsds.api_urls")),
    path("api/", include("stewardship.urls")),
    path("api/", include("coveragemap.urls")),
    path("api/", include("providers.urls")),
]
