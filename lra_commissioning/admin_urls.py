from django.urls import path

from . import admin_views

app_name = "administration"

urlpatterns = [
    path("people/", admin_views.people, name="people"),
    path("people/new/", admin_views.person_create, name="person_create"),
    path("people/<int:pk>/", admin_views.person_edit, name="person_edit"),
    path("financial-years/", admin_views.financial_years, name="financial_years"),
]
