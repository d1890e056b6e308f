import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lra_commissioning import obligations
from lra_commissioning.models import FinancialYear
from lra_commissioning.workflow import DomainError, TransitionNotAllowed
from specifications import services
from specifications.models import (
    KPI,
    BusinessPlanStatus,
    CommentStatus,
    PublicComment,
    SpecificationVersion,
    VersionStatus,
)
from specifications.selectors import business_plan_summary, version_in_force

from .factories import draft_version, kpi_fields, published_version, take_to

V = VersionStatus


@pytest.fixture
def people(commissioner, board_member, head_of_service):
    return commissioner, board_member, head_of_service


@pytest.fixture
def met():
    keys = []

    def listener(key, met_on, by):
        keys.append(key)

    obligations.register(listener)
    yield keys
    obligations._listeners.remove(listener)


def _act(action, version, people):
    c, b, h = people
    today = timezone.localdate()
    return {
        "submit": lambda: services.version_submit(version=version, by=c),
        "sign_off": lambda: services.version_sign_off(
            version=version, decided_on=today, minute_reference="SB/9", by=b
        ),
        "return": lambda: services.version_return(
            version=version, comments="Not yet", decided_on=today, by=b
        ),
        "agree": lambda: services.version_agree(version=version, by=h),
        "return_by_service": lambda: services.version_return_by_service(
            version=version, reasons="We cannot staff it.", by=h
        ),
        "publish": lambda: services.version_publish(version=version, by=c),
    }[action]()


ALLOWED = {
    ("submit", V.DRAFT): V.WITH_BOARD,
    ("submit", V.RETURNED): V.WITH_BOARD,
    ("submit", V.RETURNED_BY_SERVICE): V.WITH_BOARD,
    ("sign_off", V.WITH_BOARD): V.SIGNED_OFF,
    ("return", V.WITH_BOARD): V.RETURNED,
    ("agree", V.SIGNED_OFF): V.AGREED,
    ("return_by_service", V.SIGNED_OFF): V.RETURNED_BY_SERVICE,
    ("publish", V.AGREED): V.PUBLISHED,
}


@pytest.mark.parametrize("state", list(V))
@pytest.mark.parametrize(
    "action", ["submit", "sign_off", "return", "agree", "return_by_service", "publish"]
)
def test_version_workflow_allows_only_the_transitions_in_its_table(state, action, people):
    version = take_to(draft_version(people[0]), state, *people)
    expected = ALLOWED.get((action, state))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            _act(action, version, people)
        version.refresh_from_db()
        assert version.status == state
    else:
        _act(action, version, people)
        version.refresh_from_db()
        assert version.status == expected


@pytest.mark.parametrize("state", list(V))
def test_content_can_change_only_in_draft_or_returned(state, people):
    c = people[0]
    version = take_to(draft_version(c), state, *people)
    kpi = version.kpis.get()
    section = version.sections.first()
    outcome = version.outcomes.get()
    requirement = outcome.requirements.get()
    edits = [
        lambda: services.kpi_update(kpi=kpi, title="Changed", by=c),
        lambda: services.kpi_create(version=version, by=c, **kpi_fields("NEW1")),
        lambda: services.kpi_delete(kpi=kpi, by=c),
        lambda: services.section_update(section=section, heading="New", body="x", by=c),
        lambda: services.requirement_update(requirement=requirement, text="New", by=c),
        lambda: services.requirement_create(outcome=outcome, code="O1.R9", text="x", by=c),
        lambda: services.requirement_delete(requirement=requirement, by=c),
        lambda: services.outcome_update(outcome=outcome, title="New", by=c),
        lambda: services.version_update(version=version, summary="New", by=c),
    ]
    if state in (V.DRAFT, V.RETURNED, V.RETURNED_BY_SERVICE):
        for edit in edits:
            edit()
    else:
        for edit in edits:
            with pytest.raises(TransitionNotAllowed, match="cannot be changed"):
                edit()
        kpi.refresh_from_db()
        assert kpi.title == "KPI K000"
        assert version.kpis.count() == 1


def test_submit_agree_publish_meet_the_calendar_obligations(people, met):
    version = published_version(*people)
    year = version.specification.financial_year.start_year
    assert met == [
        f"specification:{year}:draft",
        f"specification:{year}:sign_off",
        f"specification:{year}:publish",
    ]


def test_sign_off_records_decision_date_and_minute(people):
    version = take_to(draft_version(people[0]), V.WITH_BOARD, *people)
    services.version_sign_off(
        version=version,
        decided_on=datetime.date(2016, 2, 1),
        minute_reference=" SB/7 ",
        by=people[1],
    )
    version.refresh_from_db()
    assert (version.board_decided_by, version.board_decided_on, version.board_minute_reference) == (
        people[1],
        datetime.date(2016, 2, 1),
        "SB/7",
    )


def test_sign_off_without_a_minute_reference_is_refused_and_nothing_changes(people):
    version = take_to(draft_version(people[0]), V.WITH_BOARD, *people)
    with pytest.raises(ValidationError) as err:
        services.version_sign_off(
            version=version,
            decided_on=datetime.date(2016, 2, 1),
            minute_reference="",
            by=people[1],
        )
    assert "minute_reference" in err.value.error_dict
    version.refresh_from_db()
    assert version.status == V.WITH_BOARD


def test_return_needs_the_boards_comments(people):
    version = take_to(draft_version(people[0]), V.WITH_BOARD, *people)
    with pytest.raises(ValidationError):
        services.version_return(
            version=version, comments="  ", decided_on=datetime.date(2016, 2, 1), by=people[1]
        )


def test_only_the_head_of_service_may_agree(people, service_manager):
    version = take_to(draft_version(people[0]), V.SIGNED_OFF, *people)
    with pytest.raises(DomainError):
        services.version_agree(version=version, by=service_manager)


# The head of service returns a signed-off version (seed paper §6.2) ----------------


def test_the_head_of_service_returns_a_signed_off_version_with_reasons_and_it_goes_round(
    people,
):
    c, b, h = people
    version = take_to(draft_version(c), V.SIGNED_OFF, *people)
    services.version_return_by_service(
        version=version, reasons="  The Sunday target needs staff we do not have.  ", by=h
    )
    version.refresh_from_db()
    assert version.status == V.RETURNED_BY_SERVICE
    assert version.service_returned_by == h and version.service_returned_at is not None
    assert version.service_return_reasons == "The Sunday target needs staff we do not have."
    assert version.agreed_by is None
    # The commissioner revises it, it goes to the board again, then the service agrees it.
    services.kpi_update(kpi=version.kpis.get(), title="Sunday opening, where staffed", by=c)
    services.version_submit(version=version, by=c)
    services.version_sign_off(
        version=version, decided_on=timezone.localdate(), minute_reference="SB/10", by=b
    )
    services.version_agree(version=version, by=h)
    version.refresh_from_db()
    assert version.status == V.AGREED and version.board_minute_reference == "SB/10"
    statuses = [r.status for r in version.history.order_by("history_id")]
    assert V.RETURNED_BY_SERVICE in statuses
    assert statuses.index(V.RETURNED_BY_SERVICE) < statuses.index(V.AGREED)


def test_returning_for_the_service_needs_reasons(people):
    version = take_to(draft_version(people[0]), V.SIGNED_OFF, *people)
    with pytest.raises(ValidationError) as err:
        services.version_return_by_service(version=version, reasons="   ", by=people[2])
    assert "reasons" in err.value.error_dict
    version.refresh_from_db()
    assert version.status == V.SIGNED_OFF


def test_only_the_head_of_service_may_return_for_the_service(people, service_manager):
    c, b, h = people
    version = take_to(draft_version(c), V.SIGNED_OFF, *people)
    for who in (service_manager, c, b):
        with pytest.raises(DomainError):
            services.version_return_by_service(version=version, reasons="No.", by=who)
    version.refresh_from_db()
    assert version.status == V.SIGNED_OFF


def test_submitting_an_empty_draft_is_refused(commissioner):
    version = draft_version(commissioner, kpis=0)
    with pytest.raises(DomainError, match="at least one KPI"):
        services.version_submit(version=version, by=commissioner)


@pytest.mark.parametrize(
    "starts_on, ok",
    [
        (datetime.date(2016, 3, 31), False),
        (datetime.date(2016, 4, 1), True),
        (datetime.date(2017, 3, 31), True),
        (datetime.date(2017, 4, 1), False),
    ],
)
def test_a_version_must_start_within_its_financial_year(commissioner, starts_on, ok):
    year = FinancialYear.objects.get_or_create(start_year=2016)[0]
    if ok:
        assert services.version_create(financial_year=year, starts_on=starts_on, by=commissioner)
    else:
        with pytest.raises(ValidationError, match="within 2016/17"):
            services.version_create(financial_year=year, starts_on=starts_on, by=commissioner)
        assert not SpecificationVersion.objects.exists()


def test_two_versions_in_force_on_one_day_are_refused(people):
    c = people[0]
    first = published_version(*people)
    second = services.version_copy(
        source=first,
        specification=first.specification,
        major=1,
        minor=1,
        starts_on=first.starts_on,
        by=c,
    )
    take_to(second, V.AGREED, *people)
    with pytest.raises(DomainError, match="same day"):
        services.version_publish(version=second, by=c)
    second.refresh_from_db()
    assert second.status == V.AGREED


def test_the_database_refuses_two_published_versions_starting_the_same_day(people):
    first = published_version(*people)
    second = services.version_copy(
        source=first,
        specification=first.specification,
        major=1,
        minor=1,
        starts_on=first.starts_on,
        by=people[0],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecificationVersion.objects.filter(pk=second.pk).update(
            status=V.PUBLISHED, published_at=timezone.now(), agreed_at=timezone.now()
        )


def test_exactly_one_version_is_in_force_on_each_day(people):
    first = published_version(*people)
    minor = services.version_copy(
        source=first,
        specification=first.specification,
        major=1,
        minor=1,
        starts_on=datetime.date(2016, 10, 1),
        by=people[0],
    )
    take_to(minor, V.PUBLISHED, *people)
    assert version_in_force(on=datetime.date(2016, 3, 31)) is None
    assert version_in_force(on=datetime.date(2016, 4, 1)) == first
    assert version_in_force(on=datetime.date(2016, 9, 30)) == first
    assert version_in_force(on=datetime.date(2016, 10, 1)) == minor


def test_version_copy_copies_all_content_as_a_new_draft(people):
    c = people[0]
    source = published_version(*people, kpis=3)
    year = FinancialYear.objects.get_or_create(start_year=2017)[0]
    from specifications.models import Specification

    spec = Specification.objects.create(financial_year=year)
    copy = services.version_copy(
        source=source, specification=spec, major=2, minor=0, starts_on=year.start_date, by=c
    )
    assert copy.status == V.DRAFT and copy.based_on == source and copy.number == "2.0"
    assert [s.kind for s in copy.sections.all()] == [s.kind for s in source.sections.all()]
    assert sorted(k.code for k in copy.kpis.all()) == sorted(k.code for k in source.kpis.all())
    assert all(k.outcome.version_id == copy.pk for k in copy.kpis.select_related("outcome"))
    assert copy.outcomes.get().requirements.count() == 1
    # The source is untouched and still frozen.
    assert source.kpis.count() == 3


def test_start_next_year_copies_the_version_in_force_and_is_refused_twice(people):
    c = people[0]
    FinancialYear.objects.get_or_create(start_year=2017)
    published_version(*people)
    draft = services.specification_start_next_year(today=datetime.date(2016, 10, 1), by=c)
    assert draft.specification.financial_year.start_year == 2017
    assert draft.starts_on == datetime.date(2017, 4, 1)
    assert draft.status == V.DRAFT and draft.major == 2
    with pytest.raises(DomainError, match="already been started"):
        services.specification_start_next_year(today=datetime.date(2016, 10, 1), by=c)


# KPI definitions: the rules at their boundaries -------------------------------------------


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"higher_is_better": True, "annual_target": 90, "floor": Decimal("90.01")}, "floor"),
        ({"higher_is_better": False, "annual_target": 3, "floor": Decimal("2.99")}, "floor"),
        ({"unit": "percentage", "annual_target": Decimal("100.01"), "floor": 90}, "annual_target"),
        ({"unit": "percentage", "annual_target": 95, "floor": Decimal("101")}, "floor"),
        ({"annual_target": -1, "floor": None}, "annual_target"),
        ({"annual_target": None, "floor": None}, "annual_target"),
        ({"is_activity": True, "annual_target": 5, "floor": None}, "annual_target"),
        (
            {
                "is_activity": True,
                "annual_target": None,
                "floor": None,
                "expected_low": 10,
                "expected_high": 9,
            },
            "expected_high",
        ),
        ({"monthly_profile": ["1"] * 11}, "monthly_profile"),
        ({"monthly_profile": ["80"] * 12}, "monthly_profile"),
        (
            {
                "last_reviewed_on": datetime.date(2016, 4, 1),
                "next_review_on": datetime.date(2016, 4, 1),
            },
            "next_review_on",
        ),
        ({"code": ""}, "code"),
        ({"title": ""}, "title"),
    ],
)
def test_kpi_definition_rules_refuse_with_a_message_on_the_field(commissioner, overrides, field):
    version = draft_version(commissioner, kpis=0)
    fields = {**kpi_fields("X1"), **overrides}
    with pytest.raises(ValidationError) as err:
        services.kpi_create(version=version, by=commissioner, **fields)
    assert field in err.value.error_dict
    assert not KPI.objects.filter(code="X1").exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"higher_is_better": True, "annual_target": 90, "floor": 90},
        {"higher_is_better": False, "annual_target": 3, "floor": 3},
        {"unit": "percentage", "annual_target": 100, "floor": 0},
        {"floor": None},
        {"monthly_profile": ["100"] * 10 + ["0", "0"]},
        {
            "is_activity": True,
            "annual_target": None,
            "floor": None,
            "expected_low": 5,
            "expected_high": 5,
        },
    ],
)
def test_kpi_definitions_at_the_boundaries_are_accepted(commissioner, overrides):
    version = draft_version(commissioner, kpis=0)
    kpi = services.kpi_create(version=version, by=commissioner, **kpi_fields("X1", **overrides))
    assert kpi.pk


def test_floor_error_says_which_side_it_belongs(commissioner):
    version = draft_version(commissioner, kpis=0)
    with pytest.raises(ValidationError) as err:
        services.kpi_create(
            version=version, by=commissioner, **kpi_fields("X1", annual_target=90, floor=95)
        )
    assert err.value.error_dict["floor"][0].messages == [
        "Higher is better for this KPI, so the floor must be at or below the target"
    ]


def test_a_kpi_code_is_unique_within_a_version(commissioner):
    version = draft_version(commissioner, kpis=1)
    with pytest.raises(ValidationError, match="already has a KPI"):
        services.kpi_create(version=version, by=commissioner, **kpi_fields("K000"))


def test_kpi_edits_are_in_the_history_with_who_made_them(commissioner):
    version = draft_version(commissioner)
    kpi = version.kpis.get()
    services.kpi_update(kpi=kpi, annual_target=Decimal("1200"), by=commissioner)
    latest = kpi.history.latest()
    assert latest.history_user == commissioner and latest.annual_target == Decimal("1200")


# Public comments ------------------------------------------------------------------------


def _comment(version, **kw):
    kw.setdefault("body", "A comment")
    kw.setdefault("address", "192.0.2.1")
    return services.comment_submit(version=version, **kw)


def test_a_comment_waits_for_moderation(people):
    version = published_version(*people)
    comment = _comment(version, name="Ann", email="ann@example.net")
    assert comment.status == CommentStatus.PENDING


@pytest.mark.parametrize("length, ok", [(5000, True), (5001, False)])
def test_a_comment_may_be_at_most_5000_characters(people, length, ok):
    version = published_version(*people)
    if ok:
        assert _comment(version, body="x" * length)
    else:
        with pytest.raises(ValidationError, match="5,000 characters or fewer"):
            _comment(version, body="x" * length)


def test_only_the_version_in_force_takes_comments(people):
    version = draft_version(people[0])
    with pytest.raises(DomainError, match="in force"):
        _comment(version)


def test_the_rate_limit_refuses_the_sixth_comment_in_an_hour_from_one_address(people, settings):
    settings.COMMENT_RATE_LIMIT_PER_HOUR = 5
    version = published_version(*people)
    for _ in range(5):
        _comment(version)
    with pytest.raises(services.RateLimited):
        _comment(version)
    assert PublicComment.objects.count() == 5
    assert _comment(version, address="198.51.100.7")  # another address is not limited


@pytest.mark.parametrize(
    "state, action, allowed",
    [
        (CommentStatus.PENDING, "publish", True),
        (CommentStatus.PENDING, "reject", True),
        (CommentStatus.PENDING, "respond", False),
        (CommentStatus.PUBLISHED, "publish", False),
        (CommentStatus.PUBLISHED, "reject", True),
        (CommentStatus.PUBLISHED, "respond", True),
        (CommentStatus.REJECTED, "publish", True),
        (CommentStatus.REJECTED, "reject", False),
        (CommentStatus.REJECTED, "respond", False),
    ],
)
def test_comment_moderation_follows_its_table(people, state, action, allowed):
    c = people[0]
    comment = _comment(published_version(*people))
    if state == CommentStatus.PUBLISHED:
        services.comment_publish(comment=comment, by=c)
    elif state == CommentStatus.REJECTED:
        services.comment_reject(comment=comment, by=c)
    call = {
        "publish": lambda: services.comment_publish(comment=comment, by=c),
        "reject": lambda: services.comment_reject(comment=comment, by=c),
        "respond": lambda: services.comment_respond(comment=comment, response="Thanks", by=c),
    }[action]
    if allowed:
        call()
        comment.refresh_from_db()
        # Responding publishes the response; the comment stays published.
        target = {"publish": CommentStatus.PUBLISHED, "reject": CommentStatus.REJECTED}
        assert comment.status == target.get(action, CommentStatus.PUBLISHED)
    else:
        comment.refresh_from_db()
        before = comment.status
        with pytest.raises(TransitionNotAllowed):
            call()
        comment.refresh_from_db()
        assert comment.status == before


def test_erase_task_erases_personal_data_after_the_retention_period_and_twice_is_safe(
    people, settings
):
    from specifications.tasks import erase_expired_comment_personal_data

    settings.COMMENT_RETENTION_DAYS = 30
    version = published_version(*people)
    now = timezone.now()
    old = _comment(
        version, name="Old", email="old@example.net", received_at=now - datetime.timedelta(days=31)
    )
    recent = _comment(
        version, name="New", email="new@example.net", received_at=now - datetime.timedelta(days=29)
    )
    assert erase_expired_comment_personal_data() == 1
    assert erase_expired_comment_personal_data() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.email) == ("", "") and old.personal_data_erased_at
    assert old.body == "A comment"
    assert (recent.name, recent.email) == ("New", "new@example.net")
    # The history never held the personal data.
    assert not hasattr(old.history.first(), "email")


def test_the_erase_task_is_in_the_beat_schedule(settings):
    tasks = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "specifications.tasks.erase_expired_comment_personal_data" in tasks


# The business plan ------------------------------------------------------------------------


@pytest.fixture
def plan(people, service_manager):
    version = published_version(*people)
    return services.business_plan_start(
        financial_year=version.specification.financial_year, by=service_manager
    )


def _fill(plan, by):
    for section in plan.sections.all():
        services.business_plan_section_update(section=section, approach="We will.", by=by)


P = BusinessPlanStatus


def _plan_to(plan, state, sm, c):
    if state == P.DRAFT:
        return
    _fill(plan, sm)
    services.business_plan_submit(plan=plan, by=sm)
    if state == P.ACCEPTED:
        services.business_plan_accept(plan=plan, by=c)
    if state == P.RETURNED:
        section = plan.sections.first()
        services.business_plan_return(plan=plan, section_comments={section.pk: "More"}, by=c)


PLAN_ALLOWED = {
    ("submit", P.DRAFT): P.SUBMITTED,
    ("submit", P.RETURNED): P.SUBMITTED,
    ("accept", P.SUBMITTED): P.ACCEPTED,
    ("return", P.SUBMITTED): P.RETURNED,
}


@pytest.mark.parametrize("state", list(P))
@pytest.mark.parametrize("action", ["submit", "accept", "return", "edit"])
def test_business_plan_workflow_allows_only_its_table(
    plan, state, action, service_manager, commissioner
):
    _plan_to(plan, state, service_manager, commissioner)
    _fill(plan, service_manager) if state in (P.DRAFT,) else None
    section = plan.sections.first()
    call = {
        "submit": lambda: services.business_plan_submit(plan=plan, by=service_manager),
        "accept": lambda: services.business_plan_accept(plan=plan, by=commissioner),
        "return": lambda: services.business_plan_return(
            plan=plan, section_comments={section.pk: "Why?"}, by=commissioner
        ),
        "edit": lambda: services.business_plan_section_update(
            section=section, approach="Changed", by=service_manager
        ),
    }[action]
    if action == "edit":
        allowed = state in (P.DRAFT, P.RETURNED)
        expected = state
    else:
        expected = PLAN_ALLOWED.get((action, state))
        allowed = expected is not None
    if allowed:
        call()
        plan.refresh_from_db()
        assert plan.status == expected
    else:
        with pytest.raises(TransitionNotAllowed):
            call()
        plan.refresh_from_db()
        assert plan.status == state


def test_returning_needs_a_comment_on_at_least_one_section(plan, service_manager, commissioner):
    _plan_to(plan, P.SUBMITTED, service_manager, commissioner)
    with pytest.raises(DomainError, match="at least one section"):
        services.business_plan_return(plan=plan, section_comments={}, by=commissioner)


def test_submitting_needs_every_outcome_answered(plan, service_manager):
    with pytest.raises(DomainError, match="Missing: O1"):
        services.business_plan_submit(plan=plan, by=service_manager)


def test_resubmission_clears_section_comments_but_history_keeps_them(
    plan, service_manager, commissioner
):
    _plan_to(plan, P.RETURNED, service_manager, commissioner)
    section = plan.sections.first()
    section.refresh_from_db()
    assert section.return_comment == "More"
    services.business_plan_submit(plan=plan, by=service_manager)
    section.refresh_from_db()
    assert section.return_comment == ""
    assert "More" in {h.return_comment for h in section.history.all()}
    plan.refresh_from_db()
    assert plan.submission_count == 2


def test_accepting_meets_the_obligation_and_fills_the_summary_contract(
    plan, service_manager, commissioner, met
):
    assert business_plan_summary(start_year=2016) == []
    _plan_to(plan, P.ACCEPTED, service_manager, commissioner)
    assert "business_plan:2016" in met
    assert business_plan_summary(start_year=2016) == [("O1", "Outcome 1", "We will.")]


def test_a_plan_needs_a_published_specification(commissioner, service_manager):
    draft = draft_version(commissioner)
    with pytest.raises(DomainError, match="not been published"):
        services.business_plan_start(
            financial_year=draft.specification.financial_year, by=service_manager
        )


def test_the_rate_limit_takes_exactly_the_limit_when_comments_arrive_at_once(settings, monkeypatch):
    import threading

    from django.core.cache import caches

    settings.COMMENT_RATE_LIMIT_PER_HOUR = 5
    # One cache client shared by the threads, as gunicorn's threads share a process's.
    monkeypatch.setattr(services, "cache", caches["default"])
    start = threading.Barrier(20)
    outcomes = []

    def send():
        start.wait()
        try:
            services.comment_rate_limit_count(address="203.0.113.7")
        except services.RateLimited:
            outcomes.append("refused")
        else:
            outcomes.append("taken")

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("taken") == 5
    assert outcomes.count("refused") == 15
