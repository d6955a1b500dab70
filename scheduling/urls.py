from django.urls import path

from . import appointment_views, views

app_name = "scheduling"
urlpatterns = [
    path("", views.index, name="index"),
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
