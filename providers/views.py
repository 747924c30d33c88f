"""The page an invitation email links to: choose a username and password (the same service as the API)."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from providers.services import invitation_accept


class InvitationAcceptForm(forms.Form):
    username = forms.RegexField(r"^[\w.@+-]{3,150}$", max_length=150, help_text="Letters, digits and @.+-_ only.")
    password = forms.CharField(widget=forms.PasswordInput, max_length=200, help_text="At least 12 characters.")


@never_cache
@csrf_protect
def invitation_page(request, token: str):
    """Return the form to accept an invitation, or the result of accepting it."""
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, **form.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return render(request, "providers/invitation_done.html", {"username": user.username})
    return render(request, "providers/invitation.html", {"form": form})
