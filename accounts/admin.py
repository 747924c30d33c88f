from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "organization", "is_active", "is_staff"]
    list_filter = ["groups", "is_active", "is_staff"]
    autocomplete_fields = ["organization"]
    fieldsets = BaseUserAdmin.fieldsets + (("Directory", {"fields": ["organization"]}),)
