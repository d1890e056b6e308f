from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import FinancialYear, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "job_title", "is_head_of_service", "is_active"]
    list_filter = ["is_active", "is_head_of_service", "role_grants__role"]
    search_fields = ["email", "full_name"]
    inlines = [UserRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title", "is_head_of_service")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )


@admin.register(FinancialYear)
class FinancialYearAdmin(SimpleHistoryAdmin):
    list_display = ["label", "start_year"]
