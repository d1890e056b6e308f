from django.urls import include, path

from . import views

app_name = "board"

M = "meetings/<int:pk>/"  # under "board/"
ITEM = M + "items/<int:item_pk>/"

board_patterns = [
    path("", views.index, name="index"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path(M, views.meeting, name="meeting"),
    path(M + "edit/", views.meeting_edit, name="meeting_edit"),
    path(M + "cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(M + "agenda/assemble/", views.agenda_assemble, name="agenda_assemble"),
    path(M + "agenda/new/", views.item_new, name="item_new"),
    path(M + "papers/produce/", views.papers_produce, name="papers_produce"),
    path(M + "papers/publish/", views.papers_publish, name="papers_publish"),
    path(M + "papers.pdf", views.papers_pdf, name="papers_pdf"),
    path(M + "attendance/", views.attendance, name="attendance"),
    path(M + "close/", views.meeting_close, name="meeting_close"),
    path(M + "minutes/", views.minutes_edit, name="minutes_edit"),
    path(ITEM, views.item, name="item"),
    path(ITEM + "edit/", views.item_edit, name="item_edit"),
    path(ITEM + "move/<slug:direction>/", views.item_move, name="item_move"),
    path(ITEM + "remove/", views.item_remove, name="item_remove"),
    path(ITEM + "decide/", views.item_decide, name="item_decide"),
    path(ITEM + "declare/", views.item_declare, name="item_declare"),
    path(ITEM + "actions/new/", views.action_new, name="action_new"),
    path("actions/<int:pk>/", views.action, name="action"),
    path("members/", views.members, name="members"),
    path("members/new/", views.member_new, name="member_new"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
    path("settings/", views.settings_edit, name="settings"),
]

urlpatterns = [
    path("board/", include(board_patterns)),
]
