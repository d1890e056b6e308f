from django.urls import path

from . import views

app_name = "slas"

urlpatterns = [
    path("slas/", views.index, name="index"),
    path("slas/overview/", views.overview, name="overview"),
    path("slas/new/", views.create, name="create"),
    path("slas/<int:pk>/", views.detail, name="detail"),
    path("slas/<int:pk>/edit/", views.edit, name="edit"),
    path("slas/<int:pk>/return/", views.return_to_drafting, name="return"),
    path("slas/<int:pk>/do/<slug:action>/", views.act, name="act"),
    path(
        "slas/<int:pk>/responsibilities/new/", views.responsibility_add, name="responsibility_add"
    ),
    path(
        "slas/<int:pk>/responsibilities/<int:row>/delete/",
        views.responsibility_delete,
        name="responsibility_delete",
    ),
    path("slas/<int:pk>/levels/new/", views.level_edit, name="level_add"),
    path("slas/<int:pk>/levels/<int:level>/", views.level_edit, name="level_edit"),
    path("slas/<int:pk>/levels/<int:level>/delete/", views.level_delete, name="level_delete"),
    path("slas/<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path(
        "slas/<int:pk>/contacts/<int:contact>/delete/", views.contact_delete, name="contact_delete"
    ),
    path("slas/<int:pk>/performance/", views.performance, name="performance"),
    path("slas/<int:pk>/levels/<int:level>/results/new/", views.result_add, name="result_add"),
    path("slas/<int:pk>/results/<int:result>/", views.result_edit, name="result_edit"),
]
