from django.contrib import admin

from .models import DetectorSetting, MueLimit, ProcedureCode, PtpEdit, ScoringSettings


@admin.register(ProcedureCode)
class ProcedureCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "minutes", "description")
    search_fields = ("code", "description")


@admin.register(PtpEdit)
class PtpEditAdmin(admin.ModelAdmin):
    list_display = ("column1", "column2", "modifier_allowed")
    search_fields = ("column1", "column2")


@admin.register(MueLimit)
class MueLimitAdmin(admin.ModelAdmin):
    list_display = ("code", "max_units")
    search_fields = ("code",)


@admin.register(DetectorSetting)
class DetectorSettingAdmin(admin.ModelAdmin):
    list_display = ("detector", "weight", "enabled")


admin.site.register(ScoringSettings)
