import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from leaflet.admin import LeafletGeoAdmin

from geo import basemap
from providers import models, registry
from providers.editing import read_value, to_json
from providers.translations import spanish_fields, virtual_fields

ADMIN = models.ListingChange.Source.ADMIN


def history_owner(obj):
    """Return (listing record, field prefix) whose history an admin change of `obj` belongs to."""
    if isinstance(obj, models.Address):
        return obj.location, "address."
    if isinstance(obj, models.Schedule):
        return (obj.service or obj.location), "schedules."
    if isinstance(obj, models.HoursException):
        return obj.location, "hours_exceptions."
    return obj, ""


class SpanishFormsMixin:
    """The Spanish forms of a record's texts (`description_es`) beside the English ones; not django-modeltrans's
    other virtual fields, which follow the active language (providers.translations)."""

    def get_exclude(self, request, obj=None):
        spanish = set(spanish_fields(self.model))
        hidden = [name for name in virtual_fields(self.model) if name not in spanish]
        return [*(super().get_exclude(request, obj) or ()), *hidden]


class HistoryAdminMixin(SpanishFormsMixin):
    """Record admin edits of listing records in their history, like every other change (who, when, field,
    before, after): the record's own fields once its many-to-many fields are saved, and its inline rows
    (addresses, phones, schedules). Before-values are kept on the request, not on this shared object."""

    def save_model(self, request, obj, form, change):
        before = {}
        if change and form.changed_data:
            stored = type(obj).objects.get(pk=obj.pk)
            before = {field: to_json(read_value(stored, field)) for field in form.changed_data}
        request._history_before = before
        # Through the registry's write path (a site's public point; an address's point, looked up in its form's
        # clean(), before the admin wrote anything).
        if isinstance(obj, models.Address):
            registry.address_save(address=obj, point=getattr(obj, "_point", None))
        else:
            registry.record_save(obj)
        if not change:
            owner, prefix = history_owner(obj)
            if owner is not obj:
                registry.history_record(owner, {prefix + "added": (None, str(obj))}, ADMIN, user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_history_before", {})
        owner, prefix = history_owner(form.instance)
        changes = {prefix + f: (old, to_json(read_value(form.instance, f))) for f, old in before.items()}
        changes = {f: pair for f, pair in changes.items() if pair[0] != pair[1]}
        if changes:
            registry.history_record(owner, changes, ADMIN, user=request.user)

    def save_formset(self, request, form, formset, change):
        """Record each changed, added or deleted inline row (e.g. a phone) on the parent listing record."""
        rows = [(f, {field: to_json(f.initial.get(field)) for field in f.changed_data}) for f in formset.forms]
        if formset.model is models.Address:
            formset.save(commit=False)  # sorts the rows into new, changed and deleted ones
            for deleted in formset.deleted_objects:
                deleted.delete()
            for address in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                registry.address_save(address=address, point=getattr(address, "_point", None))
        else:
            super().save_formset(request, form, formset, change)
        name = formset.model._meta.model_name
        changes = {}
        for row_form, initial in rows:
            if not row_form.has_changed() or not hasattr(row_form, "cleaned_data"):
                continue
            if row_form.cleaned_data.get("DELETE"):
                changes[f"{name}.deleted"] = (str(row_form.instance), None)
                continue
            for field in row_form.changed_data:
                after = to_json(row_form.cleaned_data.get(field))
                if initial.get(field) != after:
                    changes[f"{name}.{field}"] = (initial.get(field), after)
        if changes:
            registry.history_record(form.instance, changes, ADMIN, user=request.user)


class AddressForm(forms.ModelForm):
    """An address whose site has no coordinates is placed here, while the form is checked: before the admin writes
    (and so locks) anything (providers.registry)."""

    def clean(self):
        data = super().clean()
        location = data.get("location") or getattr(self.instance, "location", None)
        if location is not None and not self.errors and data.get("address_type") == models.Address.AddressType.PHYSICAL:
            if registry.location_needs_point(location):
                self.instance._point = registry.address_point(data, confidential=location.is_confidential)
        return data


class AddressInline(admin.StackedInline):
    model = models.Address
    form = AddressForm
    extra = 0


class ScheduleInline(SpanishFormsMixin, admin.TabularInline):
    model = models.Schedule
    extra = 0
    autocomplete_fields = ["service"]


class HoursExceptionInline(SpanishFormsMixin, admin.TabularInline):
    model = models.HoursException
    extra = 0
    autocomplete_fields = ["service"]


class PhoneInline(admin.TabularInline):
    model = models.Phone
    extra = 0
    fields = ["number", "extension", "type", "description", "is_front_door"]


class ServiceAtLocationInline(admin.TabularInline):
    model = models.ServiceAtLocation
    extra = 0
    autocomplete_fields = ["service", "location"]


class ServiceAreaInline(admin.StackedInline):
    model = models.ServiceArea
    extra = 0
    fields = ["name", "description"]
    show_change_link = True


class ServiceCapacityInline(admin.TabularInline):
    """What a service counts besides beds (a site's, on the location)."""

    model = models.ServiceCapacity
    extra = 0
    fields = ["unit", "available", "maximum", "updated", "location", "description"]
    autocomplete_fields = ["location"]


@admin.register(models.NeedTerm)
class NeedTermAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "sort_order"]
    search_fields = ["code", "name"]


@admin.register(models.Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "dimension"]
    list_filter = ["dimension"]
    search_fields = ["code", "name"]


@admin.register(models.Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(models.Organization)
class OrganizationAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "email", "updated_at"]
    search_fields = ["name", "alternate_name", "email"]
    inlines = [PhoneInline]


@admin.register(models.Service)
class ServiceAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "status", "last_verified_on"]
    list_filter = ["status", "needs", "populations"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization", "needs", "populations", "languages"]
    list_select_related = ["organization"]
    inlines = [ServiceAreaInline, ServiceCapacityInline, PhoneInline]


@admin.register(models.Location)
class LocationAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Coordinates are edited as numbers (the PostGIS point is generated from them, see the model); a map
    shows the exact point and, for confidential sites, the public one."""

    list_display = ["__str__", "organization", "location_type", "is_confidential", "beds_available"]
    list_filter = ["location_type", "is_confidential", "accepting_referrals"]
    search_fields = ["name", "organization__name", "addresses__city", "addresses__postal_code"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    readonly_fields = ["public_latitude", "public_longitude", "map"]
    inlines = [AddressInline, ServiceAtLocationInline, ScheduleInline, HoursExceptionInline, PhoneInline]

    class Media:
        # Leaflet from django-leaflet's own static files: no CDN.
        css = {"all": ["leaflet/leaflet.css"]}
        js = ["leaflet/leaflet.js", "web/basemap.js", "providers/admin_location_map.js"]

    @admin.display(description="Map")
    def map(self, obj):
        if obj is None or obj.latitude is None:
            return "No coordinates yet."
        return format_html(
            '<div class="location-map" style="height:280px;width:480px" data-lat="{}" data-lon="{}" '
            'data-public-lat="{}" data-public-lon="{}" data-basemap="{}"></div>',
            obj.latitude, obj.longitude, obj.public_latitude or "", obj.public_longitude or "",
            json.dumps(basemap.config()),
        )  # fmt: skip


@admin.register(models.ServiceAtLocation)
class ServiceAtLocationAdmin(admin.ModelAdmin):
    list_display = ["id", "service", "location"]
    autocomplete_fields = ["service", "location"]
    list_select_related = ["service", "location"]


@admin.register(models.ServiceArea)
class ServiceAreaAdmin(LeafletGeoAdmin):
    list_display = ["name", "service"]
    search_fields = ["name", "service__name"]
    autocomplete_fields = ["service"]


@admin.register(models.VictimAssistanceSpecialist)
class VictimAssistanceSpecialistAdmin(LeafletGeoAdmin):
    list_display = ["name", "hsi_office", "phone", "on_call_24_7"]
    search_fields = ["name", "hsi_office", "coverage_description"]
    autocomplete_fields = ["languages", "user"]


@admin.register(models.Address)
class AddressAdmin(HistoryAdminMixin, admin.ModelAdmin):
    form = AddressForm
    list_display = ["__str__", "location", "address_type"]
    search_fields = ["address_1", "city", "postal_code"]
    autocomplete_fields = ["location"]


@admin.register(models.Phone)
class PhoneAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["number", "type", "is_front_door", "organization", "service", "location"]
    list_filter = ["type", "is_front_door"]
    search_fields = ["number", "description"]
    autocomplete_fields = ["organization", "service", "location", "languages"]


@admin.register(models.Schedule)
class ScheduleAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "location", "service"]
    list_filter = ["weekday"]
    autocomplete_fields = ["location", "service"]


@admin.register(models.HoursException)
class HoursExceptionAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "location", "service", "note"]
    list_filter = ["closed"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["location", "service"]


@admin.register(models.ServiceCapacity)
class ServiceCapacityAdmin(admin.ModelAdmin):
    """A list to find them by; edited on their service's page, whose history records the change."""

    list_display = ["__str__", "service", "location"]
    list_select_related = ["service", "location"]
    search_fields = ["unit", "service__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # removed on the service's page, whose history records it


class ReadOnlyAdmin(admin.ModelAdmin):
    """Moderation records are changed through the API's services (history, transactions), not here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "record_type", "status", "conflicting", "submitted_by"]
    list_filter = ["status", "record_type", "conflicting"]
    list_select_related = ["organization", "submitted_by"]


@admin.register(models.ListingChange)
class ListingChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "organization", "record_type", "field", "source", "changed_by"]
    list_filter = ["source", "record_type"]
    list_select_related = ["organization", "changed_by"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization_name", "contact_email", "status"]
    list_filter = ["status"]


@admin.register(models.Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "email", "expires_at", "accepted_at"]
    exclude = ["token_hash"]


@admin.register(models.Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "organization", "record_type", "status"]
    list_filter = ["status", "record_type"]


@admin.register(models.MergedId)
class MergedIdAdmin(ReadOnlyAdmin):
    list_display = ["id", "record_type", "kept_id", "merged_at"]
