from django.contrib import admin

from .models import (
    DailyUsage,
    ForecastRun,
    ForecastSeries,
    Location,
    ReorderRecommendation,
    StockLevel,
    SupplyItem,
)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(SupplyItem)
class SupplyItemAdmin(admin.ModelAdmin):
    list_display = (
        "item_id",
        "name",
        "unit",
        "unit_cost",
        "lead_time_days",
        "pack_size",
        "minimum_order",
        "service_level",
    )
    search_fields = ("item_id", "name")


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ("item", "location", "on_hand", "on_order", "updated_at")
    list_filter = ("location",)
    search_fields = ("item__item_id", "item__name")


@admin.register(DailyUsage)
class DailyUsageAdmin(admin.ModelAdmin):
    list_display = ("date", "item", "location", "quantity")
    list_filter = ("location",)
    date_hierarchy = "date"
    raw_id_fields = ("item",)


@admin.register(ForecastRun)
class ForecastRunAdmin(admin.ModelAdmin):
    list_display = ("run_date", "created_at", "job")


@admin.register(ForecastSeries)
class ForecastSeriesAdmin(admin.ModelAdmin):
    list_display = ("run", "kind", "item", "location", "department", "model", "backtest_mase")
    list_filter = ("kind", "model", "family")
    raw_id_fields = ("item", "run")


@admin.register(ReorderRecommendation)
class ReorderRecommendationAdmin(admin.ModelAdmin):
    list_display = (
        "run",
        "item",
        "location",
        "recommended_quantity",
        "status",
        "approved_quantity",
        "decided_by",
    )
    list_filter = ("status", "location")
    raw_id_fields = ("item", "run")
