from django.urls import path

from . import admin_views

app_name = "administration"

urlpatterns = [
    path("people/", admin_views.people, name="people"),
    path("people/new/", admin_views.person_create, name="person_create"),
    path("people/<int:pk>/", admin_views.person_edit, name="person_edit"),
    path("people/<int:pk>/invitation/", admin_views.person_invite, name="person_invite"),
    path("financial-years/", admin_views.financial_years, name="financial_years"),
    path("export/", admin_views.data_export, name="data_export"),
]
