"""Who may open each change-management page, on the demo data.

Demo changes are all past drafting (applied, rejected, with the board), so the
edit pages send the raiser back to the change (302); POST-only actions answer
a GET with 405.
"""

from .expectations import SM, STAFF, B, C, Page, public, staff


def _change(status):
    def kwargs():
        from changes.models import ChangeRequest

        return {"pk": ChangeRequest.objects.filter(status=status).order_by("pk").first().pk}

    return kwargs


def _idea(status):
    def kwargs():
        from changes.models import ServiceIdea

        return {"pk": ServiceIdea.objects.filter(status=status).order_by("pk").first().pk}

    return kwargs


def _notice():
    from changes.models import BoardDecision

    return {"pk": BoardDecision.objects.filter(published_at__isnull=False).first().pk}


def _item():
    from changes.models import ChangeItem

    item = ChangeItem.objects.order_by("pk").first()
    return {"pk": item.change_id, "item_pk": item.pk}


def _line():
    from changes.models import ChangeBudgetLine

    line = ChangeBudgetLine.objects.order_by("pk").first()
    return {"pk": line.change_id, "line_pk": line.pk}


POST_ONLY = {"allowed": STAFF, "ok": 405}
APPLIED = _change("applied")
WITH_BOARD = _change("with_board")

PAGES: dict[str, Page] = {
    "changes:index": staff(C, SM, B),
    "changes:new": staff(C, SM),
    "changes:detail": staff(C, SM, B, kwargs=APPLIED),
    "changes:edit": staff(C, SM, kwargs=APPLIED, ok=302),
    "changes:impact": staff(C, SM, kwargs=APPLIED, ok=302),
    "changes:item_add": staff(C, SM, kwargs=lambda: {**APPLIED(), "kind": "kpi"}, ok=302),
    "changes:item_delete": Page(kwargs=_item, **POST_ONLY),
    "changes:budget_line_add": staff(C, SM, kwargs=APPLIED, ok=302),
    "changes:budget_line_delete": Page(kwargs=_line, **POST_ONLY),
    "changes:raise_to_fundamental": staff(C, SM, kwargs=APPLIED, ok=302),
    # The demo's change with the board: the board member gets the decision form.
    "changes:decide": staff(B, kwargs=WITH_BOARD),
    "changes:act": Page(kwargs=lambda: {**WITH_BOARD(), "action": "submit"}, **POST_ONLY),
    "changes:decision_publish": Page(kwargs=_notice, **POST_ONLY),
    "changes:ideas": staff(C, SM, B),
    "changes:idea_new": staff(SM),
    "changes:idea_detail": staff(C, SM, B, kwargs=_idea("proposed")),
    "changes:idea_decide": staff(B, kwargs=_idea("proposed")),
    "changes:notices": public(),
    "changes:notice": public(kwargs=_notice),
}
