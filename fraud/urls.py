from django.urls import path

from . import views

app_name = "fraud"
urlpatterns = [
    path("", views.index, name="index"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("flags/<int:pk>/decide/", views.decide, name="decide"),
    path("flags/<int:pk>/assign/", views.assign, name="assign"),
    path("upload/", views.upload, name="upload"),
    path("export/flags.csv", views.export_flags, name="export"),
    path("metrics/", views.metrics, name="metrics"),
    path("settings/", views.detector_settings, name="settings"),
    path("score/", views.score_now, name="score_now"),
]
