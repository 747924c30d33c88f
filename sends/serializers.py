"""Sends API input and output. The output never holds the number or address: once queued it is not shown again,
even to the sender."""

import phonenumbers
from django.conf import settings
from django.core.validators import EmailValidator
from rest_framework import serializers

from sends.models import MAX_OFFERS, Channel, Send, SendEvent

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class SendCreateSerializer(serializers.Serializer):
    offers = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=MAX_OFFERS,
        help_text=f"Services at locations (ids from a result list), 1 to {MAX_OFFERS}, in the order to list them.",
    )  # fmt: skip
    channel = serializers.ChoiceField(choices=Channel.choices)
    to = serializers.CharField(
        max_length=254, help_text="A mobile number (US numbers without +1 are read as such) or an email address."
    )
    language = serializers.ChoiceField(choices=LANGUAGES, default=settings.LANGUAGE_CODE)
    safety_confirmed = serializers.BooleanField(
        help_text=(
            "The sender asked: is it safe to text or email this person now, and could someone else read their "
            "messages? Must be true; recorded as a yes with nothing about the person."
        )
    )

    def validate_safety_confirmed(self, value):
        if value is not True:
            raise serializers.ValidationError("Confirm that it is safe to send this to the person now.")
        return value

    def validate_channel(self, value):
        if value == Channel.SMS and not settings.SMS_BACKEND:
            raise serializers.ValidationError("Text messages are not set up here; send by email or print the list.")
        return value

    def validate(self, attrs):
        attrs["to"] = normalized_address(attrs["channel"], attrs["to"])
        return attrs


def normalized_address(channel: str, text: str) -> str:
    """A number as E.164 or an email address with its domain in lower case; a ValidationError on `to` otherwise."""
    text = text.strip()
    if channel == Channel.SMS:
        try:
            number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise serializers.ValidationError({"to": ["Enter a valid mobile number, e.g. 555-201-4477 or +52 ..."]})
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    try:
        EmailValidator()(text)
    except Exception:  # noqa: BLE001 - Django's ValidationError, reported as the API's
        raise serializers.ValidationError({"to": ["Enter a valid email address."]}) from None
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


class SendEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SendEvent
        fields = ["at", "action", "detail"]


class SendSerializer(serializers.ModelSerializer):
    events = SendEventSerializer(many=True, read_only=True)

    class Meta:
        model = Send
        fields = [
            "id", "created_at", "channel", "language", "offers", "status", "attempts", "finished_at", "detail",
            "events",
        ]  # fmt: skip
        read_only_fields = fields
