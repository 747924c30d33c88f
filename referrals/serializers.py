"""Referral API input and output. Outputs show the receiving site as the disclosure policy lets the caller see it
(providers.disclosure) and apply the consent rule (client contact shown only while the consent holds)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from matching.serializers import RefSerializer
from providers.access import confidential_access_for_user
from providers.disclosure import SiteDisclosure
from providers.fields import CodeRelatedField
from providers.models import Language, NeedTerm, ServiceAtLocation
from referrals import reports
from referrals.models import (
    CLOSE_REASON_CHOICES,
    DECLINE_REASON_CHOICES,
    Outcome,
    Referral,
    ReferralEvent,
    Side,
    Status,
    Urgency,
    allowed_actions,
)
from referrals.permissions import referral_sides
from referrals.services import CLOCK_SKEW, MAX_NEEDS, ClientContactInput, ConsentInput

# --- input -----------------------------------------------------------------------------------------------


class ClientContactInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    phone = PhoneNumberField(required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, default="", allow_blank=True)
    preferred_language = CodeRelatedField(
        queryset=Language.objects.all(), required=False, allow_null=True, default=None,
        help_text="ISO 639-1 code.",
    )  # fmt: skip

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["phone"] = values["phone"].as_e164 if values["phone"] else ""
        return ClientContactInput(**values)


class ConsentInputSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=255, help_text="What the contact may be used for.")
    expires_at = serializers.DateTimeField()
    given_at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: now.")

    def validate(self, attrs):
        now = timezone.now()
        if attrs["given_at"] and attrs["given_at"] > now + CLOCK_SKEW:
            raise serializers.ValidationError({"given_at": "Consent cannot be given in the future."})
        if attrs["expires_at"] <= max(now, attrs["given_at"] or now):
            raise serializers.ValidationError({"expires_at": "Must be later than now and than given_at."})
        return ConsentInput(**attrs)


class ReferralCreateSerializer(serializers.Serializer):
    service_at_location = serializers.PrimaryKeyRelatedField(
        queryset=ServiceAtLocation.objects.select_related("service", "location"),
        help_text="`service_at_location_id` of a match result.",
    )
    needs = CodeRelatedField(queryset=NeedTerm.objects.all(), many=True, help_text=f"1 to {MAX_NEEDS} need codes.")
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    note = serializers.CharField(
        max_length=4000, required=False, default="", allow_blank=True,
        help_text="For the receiving provider; encrypted at rest. Keep it to what they must know.",
    )  # fmt: skip
    do_not_contact = serializers.BooleanField(default=False)
    client_contact = ClientContactInputSerializer(required=False, allow_null=True, default=None)
    consent = ConsentInputSerializer(
        required=False, allow_null=True, default=None, help_text="Required when client_contact is given."
    )

    def validate_needs(self, needs):
        if not 1 <= len(needs) <= MAX_NEEDS:
            raise serializers.ValidationError(f"Give 1 to {MAX_NEEDS} needs.")
        return list(dict.fromkeys(needs))


# The inputs of the lifecycle actions (referrals.actions); the labels are what the referral page asks.
class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DECLINE_REASON_CHOICES, label=_("Reason"))
    reason_text = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True, label=_("Details (required for other)")
    )


class CloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CLOSE_REASON_CHOICES, label=_("Reason"))
    reason_text = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True, label=_("Details")
    )


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, label=_("Outcome"))


class WithdrawSerializer(serializers.Serializer):
    reason_text = serializers.CharField(
        max_length=1000, required=False, default="", allow_blank=True, label=_("Reason")
    )


class EmptySerializer(serializers.Serializer):
    pass


# --- output ----------------------------------------------------------------------------------------------


class ReferralListSerializer(serializers.ModelSerializer):
    needs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    receiving_organization = RefSerializer()
    service = serializers.SerializerMethodField()
    direction = serializers.SerializerMethodField(help_text="sent, received, or both (a referral to your own org).")
    overdue = serializers.SerializerMethodField(
        help_text="Accepted more than REFERRAL_OVERDUE_AFTER_DAYS ago and neither started nor closed."
    )

    class Meta:
        model = Referral
        fields = [
            "code", "status", "urgency", "needs", "direction", "receiving_organization", "service",
            "do_not_contact", "created_at", "updated_at", "answered_at", "overdue",
        ]  # fmt: skip

    def get_overdue(self, referral) -> bool:
        return referral.is_overdue()

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_service(self, referral):
        offer = referral.service_at_location
        return {"id": offer.service.id, "name": offer.service.name} if offer else None

    def get_direction(self, referral) -> str:
        sides = referral_sides(self.context["request"].user, referral)
        if sides == {Side.SENDER, Side.RECEIVER}:
            return "both"
        return "sent" if Side.SENDER in sides else "received"


class ConsentSerializer(serializers.Serializer):
    recipient_organization = RefSerializer()
    purpose = serializers.CharField()
    given_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    expired = serializers.BooleanField()


class ClientContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    preferred_language = serializers.CharField(allow_null=True)


class ReferralLocationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    is_confidential = serializers.BooleanField()
    precision = serializers.ChoiceField(choices=["exact", "approximate"])
    address_1 = serializers.CharField(required=False, help_text="Exact addresses only.")
    address_2 = serializers.CharField(required=False, help_text="Exact addresses only.")
    city = serializers.CharField(allow_null=True)
    state_province = serializers.CharField(allow_null=True)
    postal_code = serializers.CharField(allow_null=True)


class ReferralDetailSerializer(ReferralListSerializer):
    sender = serializers.SerializerMethodField()
    sender_organization = RefSerializer(allow_null=True)
    location = serializers.SerializerMethodField()
    consent = serializers.SerializerMethodField()
    client_contact = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(ReferralListSerializer.Meta):
        fields = ReferralListSerializer.Meta.fields + [
            "sender", "sender_organization", "location", "note", "reason", "reason_text", "outcome",
            "consent", "client_contact", "allowed_actions", "ended_at", "purged_at",
        ]  # fmt: skip

    def get_sender(self, referral) -> dict:
        sender = referral.sender
        return {"username": sender.username, "name": sender.get_full_name()}

    @extend_schema_field(ReferralLocationSerializer(allow_null=True))
    def get_location(self, referral):
        if referral.service_at_location is None:
            return None
        location = referral.service_at_location.location
        site = SiteDisclosure.of(location, confidential_access_for_user(self.context["request"].user))
        address = site.address(location.primary_address()) or {}
        data = {
            "id": location.id,
            "name": location.name,
            "is_confidential": location.is_confidential,
            "precision": site.precision,
            "city": address.get("city"),
            "state_province": address.get("state_province"),
            "postal_code": address.get("postal_code"),
        }
        if site.exact and address:
            data.update(address_1=address["address_1"], address_2=address["address_2"])
        return data

    @extend_schema_field(ConsentSerializer(allow_null=True))
    def get_consent(self, referral):
        consent = getattr(referral, "consent", None)
        if consent is None:
            return None
        return {
            "recipient_organization": {
                "id": consent.recipient_organization_id,
                "name": consent.recipient_organization.name,
            },
            "purpose": consent.purpose,
            "given_at": consent.given_at,
            "expires_at": consent.expires_at,
            "expired": consent.expires_at <= timezone.now(),
        }

    @extend_schema_field(ClientContactSerializer(allow_null=True))
    def get_client_contact(self, referral):
        """Client contact is shown only while the client's consent holds."""
        contact = referral.consented_contact()
        if contact is None:
            return None
        return {
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
            "preferred_language": contact.preferred_language_id,
        }

    def get_allowed_actions(self, referral) -> list[str]:
        return allowed_actions(referral.status, referral_sides(self.context["request"].user, referral))


class ReferralEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(help_text="Username, or 'system' for automatic expiry.")

    class Meta:
        model = ReferralEvent
        fields = ["at", "actor", "from_status", "to_status", "reason", "reason_text", "outcome"]

    def get_actor(self, event) -> str:
        if event.actor is None:
            return "system" if event.to_status == Status.EXPIRED else "(removed user)"
        return event.actor.username


class ReportCellSerializer(serializers.Serializer):
    key = serializers.CharField()
    count = serializers.IntegerField()


class ReportSuppressedSerializer(serializers.Serializer):
    by_status = serializers.BooleanField()
    by_need = serializers.BooleanField()
    by_state = serializers.BooleanField()
    by_month = serializers.BooleanField()


class ReportMedianSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="YYYY-MM")
    hours = serializers.FloatField()


class ReferralReportSerializer(serializers.Serializer):
    suppression_threshold = serializers.IntegerField()
    from_month = serializers.CharField(help_text="YYYY-MM: the first month counted")
    to_month = serializers.CharField(help_text="YYYY-MM: the last month counted (always a settled month)")
    total = serializers.IntegerField(allow_null=True, help_text="Sum of the months shown; null when none is")
    by_status = ReportCellSerializer(many=True, help_text="Status as it stood when its month settled")
    by_need = ReportCellSerializer(many=True)
    by_state = ReportCellSerializer(many=True)
    by_month = ReportCellSerializer(many=True)
    suppressed = ReportSuppressedSerializer(help_text="Breakdowns from which small cells were left out.")
    median_hours_to_first_answer_by_month = ReportMedianSerializer(
        many=True, help_text="Per shown month with at least 5 answers before it settled"
    )


class MonthField(serializers.DateField):
    """A month as YYYY-MM, from 2000-01 to the last settled month (reports cover settled months only)."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m"], **kwargs)

    def to_internal_value(self, value):
        month = super().to_internal_value(value)
        latest = reports.last_settled_month()
        if month < reports.FIRST_MONTH or month > latest:
            raise serializers.ValidationError(
                f"Reports cover settled months (ended {reports.SETTLE_DAYS} days ago or more) "
                f"from {reports.FIRST_MONTH:%Y-%m} to {latest:%Y-%m}."
            )
        return month


class ReportQuerySerializer(serializers.Serializer):
    from_month = MonthField(required=False, allow_null=True, default=None,
                            help_text="YYYY-MM, inclusive (default: eleven months before to_month)")  # fmt: skip
    to_month = MonthField(required=False, allow_null=True, default=None,
                          help_text="YYYY-MM, inclusive (default: the last settled month)")  # fmt: skip

    def validate(self, attrs):
        last = attrs["to_month"] or reports.last_settled_month()
        first = attrs["from_month"] or reports.add_months(last, -11)
        if first > last:
            raise serializers.ValidationError({"to_month": "Must be on or after from_month."})
        if reports.months_between(first, last) > reports.MAX_MONTHS:
            raise serializers.ValidationError({"from_month": f"A report covers at most {reports.MAX_MONTHS} months."})
        return {"from_month": first, "to_month": last}
