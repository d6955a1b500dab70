from django.urls import path

from . import views

app_name = "forecasting"
urlpatterns = [
    path("", views.index, name="index"),
    path("supply/", views.supply_list, name="supply"),
    path("supply/<int:item_pk>/<int:location_pk>/", views.supply_chart, name="supply_chart"),
    path("appointments/", views.department_list, name="departments"),
    path("appointments/<int:department_pk>/", views.department_chart, name="department_chart"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("reorder/", views.reorder_list, name="reorder"),
    path("reorder/<int:pk>/decide/", views.reorder_decide, name="reorder_decide"),
    path("reorder/export.csv", views.reorder_export, name="reorder_export"),
    path("import/", views.import_view, name="import"),
]
