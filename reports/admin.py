"""Admin for the reports app: the export jobs, for an administrator looking into a failed run."""

from django.contrib import admin

from reports.models import ExportJob, SignOff, StoredDocument


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Export jobs are written by the task; the admin only reads them."""

    list_display = ("pk", "region", "year", "status", "done", "total", "requested_by", "created_at")
    list_filter = ("status", "year", "region")
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        """Jobs start from the export page, never from the admin."""
        return False


@admin.register(StoredDocument)
class StoredDocumentAdmin(admin.ModelAdmin):
    """Stored documents are written by the tasks; the admin shows what is kept and since when."""

    list_display = ("slot", "audience", "pages", "size", "rendered_at")
    list_filter = ("audience", "year")
    search_fields = ("slot", "filename")
    readonly_fields = [f.name for f in StoredDocument._meta.fields]

    def has_add_permission(self, request):
        """Only the tasks render documents."""
        return False


@admin.register(SignOff)
class SignOffAdmin(admin.ModelAdmin):
    """Sign-offs are written when a final document is stored; the admin only reads them."""

    list_display = ("code", "slot", "step", "signed_at", "superseded_at")
    list_filter = ("step", "fmt")
    search_fields = ("code", "sha256", "slot")
    readonly_fields = [f.name for f in SignOff._meta.fields]

    def has_add_permission(self, request):
        """Sign-offs come from rendering, never from the admin."""
        return False

    def has_change_permission(self, request, obj=None):
        """A sign-off is a record: nobody edits it."""
        return False
