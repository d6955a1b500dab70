from django.urls import path

from . import appointment_views, roster_views, views

app_name = "scheduling"
urlpatterns = [
    path("", views.index, name="index"),
    # Staff rostering
    path("rosters/", roster_views.roster_list, name="roster_list"),
    path("rosters/coverage/", roster_views.coverage, name="roster_coverage"),
    path("rosters/<int:pk>/", roster_views.roster_detail, name="roster_detail"),
    path("rosters/<int:pk>/solve/", roster_views.roster_solve, name="roster_solve"),
    path("rosters/<int:pk>/repair/", roster_views.roster_repair, name="roster_repair"),
    path("rosters/<int:pk>/publish/", roster_views.roster_publish, name="roster_publish"),
    path("rosters/<int:pk>/lock/", roster_views.roster_lock, name="roster_lock"),
    path("rosters/<int:pk>/leave/", roster_views.leave_create, name="roster_leave"),
    path("rosters/<int:pk>/staff/<int:staff_pk>/", roster_views.roster_staff, name="roster_staff"),
    path("rosters/<int:pk>/export.csv", roster_views.roster_export_csv, name="roster_export_csv"),
    path("rosters/<int:pk>/export.ics", roster_views.roster_export_ics, name="roster_export_ics"),
    # Appointment scheduling
    path("appointments/", appointment_views.requests_list, name="appointment_requests"),
    path("appointments/solve/", appointment_views.solve, name="appointment_solve"),
    path(
        "appointments/runs/<int:job_id>/",
        appointment_views.proposal,
        name="appointment_proposal",
    ),
    path(
        "appointments/runs/<int:job_id>/accept/",
        appointment_views.accept,
        name="appointment_accept",
    ),
    path("appointments/schedule/", appointment_views.schedule, name="appointment_schedule"),
    path("appointments/<int:pk>/move/", appointment_views.move, name="appointment_move"),
]
