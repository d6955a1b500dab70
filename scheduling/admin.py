from django.contrib import admin

from .models import (
    Assignment,
    ClinicianSession,
    CoverageRequirement,
    Leave,
    Roster,
    ShiftLimit,
    ShiftPreference,
    ShiftType,
    Skill,
    StaffingRatio,
    StaffMember,
)

# -- staff rostering ------------------------------------------------------------------------------


class ShiftLimitInline(admin.TabularInline):
    model = ShiftLimit
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "active", "min_minutes", "max_minutes"]
    list_filter = ["department", "active", "skills"]
    search_fields = ["code", "name"]
    inlines = [ShiftLimitInline]


@admin.register(ShiftType)
class ShiftTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "start_time", "length_minutes", "min_rest_minutes", "is_night"]


@admin.register(Roster)
class RosterAdmin(admin.ModelAdmin):
    list_display = ["id", "department", "start_date", "end_date", "status", "solver_status"]
    list_filter = ["status", "department"]


admin.site.register(Skill)
admin.site.register(CoverageRequirement)
admin.site.register(StaffingRatio)
admin.site.register(Leave)
admin.site.register(ShiftPreference)
admin.site.register(Assignment)


# -- appointment scheduling -----------------------------------------------------------------------
# Requests and appointments are patient-level: they are reached through the audited scheduling
# pages, not the admin.


@admin.register(ClinicianSession)
class ClinicianSessionAdmin(admin.ModelAdmin):
    list_display = ["date", "start", "end", "department", "clinician", "room", "slot_minutes"]
    list_filter = ["department", "date"]
    search_fields = ["clinician", "room"]
    date_hierarchy = "date"
