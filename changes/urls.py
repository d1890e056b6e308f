from django.urls import path

from . import views

app_name = "changes"

urlpatterns = [
    path("changes/", views.index, name="index"),
    path("changes/new/", views.new, name="new"),
    path("changes/<int:pk>/", views.detail, name="detail"),
    path("changes/<int:pk>/edit/", views.edit, name="edit"),
    path("changes/<int:pk>/impact/", views.impact, name="impact"),
    path("changes/<int:pk>/add/<str:kind>/", views.item_add, name="item_add"),
    path("changes/<int:pk>/items/<int:item_pk>/remove/", views.item_delete, name="item_delete"),
    path("changes/<int:pk>/budget/", views.budget_line_add, name="budget_line_add"),
    path(
        "changes/<int:pk>/budget/<int:line_pk>/remove/",
        views.budget_line_delete,
        name="budget_line_delete",
    ),
    path("changes/<int:pk>/fundamental/", views.raise_to_fundamental, name="raise_to_fundamental"),
    path("changes/<int:pk>/decide/", views.decide, name="decide"),
    path("changes/<int:pk>/<str:action>/", views.act, name="act"),
    path("changes/decisions/<int:pk>/publish/", views.decision_publish, name="decision_publish"),
    path("ideas/", views.ideas, name="ideas"),
    path("ideas/new/", views.idea_new, name="idea_new"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea_detail"),
    path("ideas/<int:pk>/decide/", views.idea_decide, name="idea_decide"),
    path("decisions/", views.notices, name="notices"),
    path("decisions/<int:pk>/", views.notice, name="notice"),
]
