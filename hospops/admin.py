from django.contrib import admin

from .models import AuditEvent, Department, Facility, JobRun

admin.site.site_header = "HospOps administration"


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "facility")
    list_filter = ("facility",)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "run_date", "status", "progress", "started_at", "finished_at")
    list_filter = ("status", "name")
    readonly_fields = [field.name for field in JobRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody can add, change or delete audit events through the admin."""

    list_display = ("at", "username", "action", "object_type", "object_id", "client_address")
    list_filter = ("action", "object_type")
    search_fields = ("username", "object_id")
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
