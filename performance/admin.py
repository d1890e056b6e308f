from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ComparatorValue, PerformanceSettings


@admin.register(PerformanceSettings)
class PerformanceSettingsAdmin(SimpleHistoryAdmin):
    """The return deadline: an administrator edits the one row."""

    list_display = ["__str__", "return_due_working_days"]

    def has_add_permission(self, request):
        return not PerformanceSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ComparatorValue)
class ComparatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["kpi_code", "start_year", "authority", "value"]
    list_filter = ["kpi_code", "start_year"]
