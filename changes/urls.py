from django.urls import include, path

from . import views

app_name = "changes"

changes_patterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/impact/", views.impact, name="impact"),
    path("<int:pk>/add/<str:kind>/", views.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/remove/", views.item_delete, name="item_delete"),
    path("<int:pk>/budget/", views.budget_line_add, name="budget_line_add"),
    path(
        "<int:pk>/budget/<int:line_pk>/remove/",
        views.budget_line_delete,
        name="budget_line_delete",
    ),
    path("<int:pk>/fundamental/", views.raise_to_fundamental, name="raise_to_fundamental"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("decisions/<int:pk>/publish/", views.decision_publish, name="decision_publish"),
]

ideas_patterns = [
    path("", views.ideas, name="ideas"),
    path("new/", views.idea_new, name="idea_new"),
    path("<int:pk>/", views.idea_detail, name="idea_detail"),
    path("<int:pk>/decide/", views.idea_decide, name="idea_decide"),
]

decisions_patterns = [
    path("", views.notices, name="notices"),
    path("<int:pk>/", views.notice, name="notice"),
]

urlpatterns = [
    path("changes/", include(changes_patterns)),
    path("ideas/", include(ideas_patterns)),
    path("decisions/", include(decisions_patterns)),
]
