"""Sign-in (rate-limited, with the authenticator code when two-factor is on) and two-factor set-up pages."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from accounts import two_factor
from accounts.forms import CodeForm, SignInForm
from core.throttles import LoginThrottle


def too_many_attempts(request, wait_seconds) -> object:
    response = render(request, "registration/locked_out.html", {"wait_seconds": wait_seconds}, status=429)
    if wait_seconds:
        response["Retry-After"] = str(int(wait_seconds))
    return response


class SignInView(auth_views.LoginView):
    form_class = SignInForm

    def post(self, request, *args, **kwargs):
        self.throttle = LoginThrottle()
        if not self.throttle.attempt(request):
            return too_many_attempts(request, self.throttle.wait())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.throttle.succeeded(self.request)
        response = super().form_valid(form)
        if form.device is not None:
            otp_login(self.request, form.device)
        return response


def admin_login(request):
    """The admin signs in through the same form as everyone (rate limits, lockout and two-factor)."""
    return redirect(f"{reverse('login')}?{urlencode({'next': request.GET.get('next') or reverse('admin:index')})}")


@never_cache
@login_required
def two_factor_page(request):
    user = request.user
    device = two_factor.confirmed_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if device is None:
                two_factor.confirm(
                    request,
                    two_factor.pending_device(user),
                    form.cleaned_data["otp_token"],
                    form.cleaned_data["password"],
                )
                messages.success(request, _("Two-factor authentication is on. Sign-ins now need a code from the app."))
            elif two_factor.is_required(user):
                form.add_error(None, _("Your role must use two-factor authentication; it cannot be turned off."))
            else:
                two_factor.turn_off(request, form.cleaned_data["otp_token"], form.cleaned_data["password"])
                messages.success(request, _("Two-factor authentication is off."))
            if not form.errors:
                return redirect("two-factor")
        except two_factor.CodeRefused as refused:
            form.add_error("password" if refused.code == "password_invalid" else "otp_token", str(refused))
    device = two_factor.confirmed_device(user)
    context = {"form": form, "enabled": device is not None, "required": two_factor.is_required(user)}
    if device is None:
        pending = two_factor.pending_device(user)
        context.update(secret=two_factor.secret_for_display(pending), qr_svg=two_factor.qr_code_svg(pending))
    return render(request, "registration/two_factor.html", context, status=400 if form.errors else 200)
