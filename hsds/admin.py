from django.contrib import admin

from hsds.models import ExternalId, ServiceAttribute, TaxonomyMapping


@admin.register(TaxonomyMapping)
class TaxonomyMappingAdmin(admin.ModelAdmin):
    list_display = ["taxonomy", "code", "name", "need"]
    list_filter = ["taxonomy"]
    search_fields = ["taxonomy", "code", "name"]
    autocomplete_fields = ["need"]


@admin.register(ExternalId)
class ExternalIdAdmin(admin.ModelAdmin):
    list_display = ["source", "record_type", "external_id", "record_id"]
    list_filter = ["source", "record_type"]
    search_fields = ["external_id", "record_id"]


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["service", "taxonomy", "code", "name"]
    list_filter = ["taxonomy"]
    raw_id_fields = ["service"]
