from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from accounts import two_factor


class SignInForm(AuthenticationForm):
    """Username and password, plus the authenticator code for accounts that turned two-factor on."""

    otp_token = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("Only if you turned on two-factor authentication."),
    )
    device = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length without a validator; an over-long name must be a 400, not reach
        # django-axes' 255-character column.
        limit = self.fields["username"].max_length or 150
        self.fields["username"].validators.append(MaxLengthValidator(limit))

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        self.device = two_factor.confirmed_device(user)
        if self.device is not None:
            try:
                two_factor.check_code(user, self.device, cleaned.get("otp_token", ""), request=self.request)
            except two_factor.CodeRefused as refused:
                raise forms.ValidationError(str(refused), code=refused.code) from None
        return cleaned


class CodeForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, max_length=256)
    otp_token = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
