from django.urls import path

from . import views

app_name = "fraud"
urlpatterns = [
    path("", views.index, name="index"),
]
