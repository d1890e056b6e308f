from django.apps import AppConfig


class BoardConfig(AppConfig):
    """The Strategic Board's meetings: agendas, papers, decisions, actions, minutes.

    On top of the apps: it reads them through their selectors and services;
    nothing below imports it (they ask `lra_commissioning.meetings`).
    """

    name = "board"
    verbose_name = "Strategic Board"

    def ready(self):
        from lra_commissioning import meetings
        from lra_commissioning.deadlines import register_source

        from . import (
            obligations,
            sources,  # noqa: F401 - registers the kinds of board business
        )
        from .deadlines import (
            board_deadlines,
            links_for_minutes,
            links_for_obligations,
            links_for_records,
        )

        register_source(board_deadlines)
        # What the board's records say about its obligations' deadlines.
        obligations.register()
        meetings.register(
            for_minutes=links_for_minutes,
            for_obligations=links_for_obligations,
            for_records=links_for_records,
        )
