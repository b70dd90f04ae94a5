"""Admin for the reports app: the export jobs, for an administrator looking into a failed run."""

from django.contrib import admin

from reports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Export jobs are written by the task; the admin only reads them."""

    list_display = ("pk", "region", "year", "status", "done", "total", "requested_by", "created_at")
    list_filter = ("status", "year", "region")
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        """Jobs start from the export page, never from the admin."""
        return False
