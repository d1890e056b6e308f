from django.urls import include, path

from . import views

app_name = "slas"

slas_patterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/return/", views.return_to_drafting, name="return"),
    path("<int:pk>/do/<slug:action>/", views.act, name="act"),
    path("<int:pk>/responsibilities/new/", views.responsibility_add, name="responsibility_add"),
    path(
        "<int:pk>/responsibilities/<int:row>/delete/",
        views.responsibility_delete,
        name="responsibility_delete",
    ),
    path("<int:pk>/levels/new/", views.level_edit, name="level_add"),
    path("<int:pk>/levels/<int:level>/", views.level_edit, name="level_edit"),
    path("<int:pk>/levels/<int:level>/delete/", views.level_delete, name="level_delete"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:contact>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/performance/", views.performance, name="performance"),
    path("<int:pk>/levels/<int:level>/results/new/", views.result_add, name="result_add"),
    path("<int:pk>/results/<int:result>/", views.result_edit, name="result_edit"),
]

urlpatterns = [
    path("slas/", include(slas_patterns)),
]
