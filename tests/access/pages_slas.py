from lra_commissioning.roles import Role

from .expectations import EVERYONE, Page, public, staff  # noqa: F401

C, SM, B, SL = Role.COMMISSIONER, Role.SERVICE_MANAGER, Role.BOARD_MEMBER, Role.SUPPORT_LEAD


def _sla(name, year):
    from slas.models import SLA

    return SLA.objects.get(support_service__name=name, financial_year__start_year=year)


def ict_2016():
    return {"pk": _sla("ICT", 2016).pk}


def hr_2016():
    # The demo support lead does not lead HR: they get 404, not 403.
    return {"pk": _sla("HR", 2016).pk}


def _next_year():
    from django.utils import timezone

    from lra_commissioning import dates

    return dates.financial_year_of(timezone.localdate()) + 1


def ict_2017():
    """Next year's ICT SLA, being drafted (the name kept from the first demo)."""
    return {"pk": _sla("ICT", _next_year()).pk}


def hs_2017():
    """Next year's Health & Safety SLA, proposed."""
    return {"pk": _sla("Health & Safety", _next_year()).pk}


def ict_2017_level():
    sla = _sla("ICT", _next_year())
    return {"pk": sla.pk, "level": sla.service_levels.first().pk}


def ict_2017_row():
    sla = _sla("ICT", _next_year())
    return {"pk": sla.pk, "row": sla.responsibilities.first().pk}


def ict_2017_contact():
    sla = _sla("ICT", _next_year())
    return {"pk": sla.pk, "contact": sla.escalation_contacts.first().pk}


def ict_2016_level():
    sla = _sla("ICT", 2016)
    return {"pk": sla.pk, "level": sla.service_levels.first().pk}


def ict_2016_result():
    sla = _sla("ICT", 2016)
    return {"pk": sla.pk, "result": sla.service_levels.first().results.first().pk}


VIEWERS = (C, SM, B, SL)
DRAFTERS = (SM, SL)
POST_ONLY = {"allowed": EVERYONE, "ok": 405}

PAGES: dict[str, Page] = {
    "slas:index": staff(*VIEWERS),
    "slas:overview": staff(*VIEWERS),
    "slas:create": staff(*DRAFTERS),
    "slas:detail": staff(*VIEWERS, kwargs=hr_2016, special={SL: 404}),
    "slas:performance": staff(*VIEWERS, kwargs=ict_2016),
    "slas:edit": staff(*DRAFTERS, kwargs=ict_2017),
    "slas:return": staff(*DRAFTERS, kwargs=hs_2017),
    "slas:act": Page(**POST_ONLY, kwargs=lambda: {**ict_2017(), "action": "propose"}),
    "slas:responsibility_add": staff(*DRAFTERS, kwargs=ict_2017),
    "slas:responsibility_delete": Page(**POST_ONLY, kwargs=ict_2017_row),
    "slas:level_add": staff(*DRAFTERS, kwargs=ict_2017),
    "slas:level_edit": staff(*DRAFTERS, kwargs=ict_2017_level),
    "slas:level_delete": Page(**POST_ONLY, kwargs=ict_2017_level),
    "slas:contact_add": staff(*DRAFTERS, kwargs=ict_2017),
    "slas:contact_delete": Page(**POST_ONLY, kwargs=ict_2017_contact),
    "slas:result_add": staff(SL, kwargs=ict_2016_level),
    "slas:result_edit": staff(SL, kwargs=ict_2016_result),
}
