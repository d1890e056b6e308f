from django.urls import path

from . import views

app_name = "cycle"

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
]
