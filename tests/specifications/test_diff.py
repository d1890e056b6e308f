"""versions_diff: every kind of change, matched by stable keys."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from lra_commissioning.models import FinancialYear
from specifications import services
from specifications.diff import ADDED, CHANGED, REMOVED, versions_diff
from specifications.models import Specification, VersionStatus
from specifications.selectors import version_with_content

from .factories import draft_version, kpi_fields, strategic_outcome, take_to


@pytest.fixture
def pair(commissioner):
    c = commissioner
    old = draft_version(c, kpis=3, outcomes=2)
    year = FinancialYear.objects.get_or_create(start_year=2017)[0]
    spec = Specification.objects.create(financial_year=year)
    new = services.version_copy(
        source=old, specification=spec, major=2, minor=0, starts_on=year.start_date, by=c
    )
    return old, new


def _diff(old, new):
    return versions_diff(version_with_content(old.pk), version_with_content(new.pk))


def test_a_copy_has_no_content_changes(pair):
    old, new = pair
    diff = _diff(old, new)
    assert not diff.sections and not diff.outcomes and not diff.requirements and not diff.kpis
    # Only the start date moved with the year.
    assert [f.name for f in diff.version_fields] == ["starts_on"]


def test_kpi_target_and_floor_changes_show_old_and_new_side_by_side(pair, commissioner):
    old, new = pair
    kpi = new.kpis.get(code="K001")
    services.kpi_update(
        kpi=kpi, annual_target=Decimal("1100"), floor=Decimal("950"), by=commissioner
    )
    [item] = _diff(old, new).kpis
    assert item.kind == CHANGED and item.key == "K001"
    assert (item.field("annual_target").old, item.field("annual_target").new) == (
        Decimal("1000"),
        Decimal("1100"),
    )
    assert (item.field("floor").old, item.field("floor").new) == (Decimal("900"), Decimal("950"))


def test_kpis_added_and_removed_are_matched_by_code(pair, commissioner):
    old, new = pair
    services.kpi_delete(kpi=new.kpis.get(code="K002"), by=commissioner)
    services.kpi_create(version=new, by=commissioner, **kpi_fields("NEW01"))
    kinds = {(i.key, i.kind) for i in _diff(old, new).kpis}
    assert kinds == {("K002", REMOVED), ("NEW01", ADDED)}


def test_a_decimal_written_differently_is_not_a_change(pair, commissioner):
    old, new = pair
    services.kpi_update(
        kpi=new.kpis.get(code="K000"), annual_target=Decimal("1000.00"), by=commissioner
    )
    assert not _diff(old, new).kpis


def test_section_outcome_and_requirement_changes(pair, commissioner):
    old, new = pair
    c = commissioner
    section = new.sections.get(kind="introduction")
    services.section_update(section=section, heading="Introduction", body="New words", by=c)
    o2 = new.outcomes.get(code="O2")
    services.outcome_update(outcome=o2, title="A sharper outcome", by=c)
    services.requirement_delete(requirement=o2.requirements.get(), by=c)
    o1 = new.outcomes.get(code="O1")
    services.requirement_create(outcome=o1, code="O1.R2", text="Also this.", by=c)
    services.requirement_update(
        requirement=o1.requirements.get(code="O1.R1"), text="Do it well.", by=c
    )
    services.outcome_create(
        version=new,
        code="O3",
        title="New outcome",
        strategic_outcome=strategic_outcome("SO2"),
        by=c,
    )
    diff = _diff(old, new)
    assert [(i.key, i.kind) for i in diff.sections] == [("introduction", CHANGED)]
    assert diff.sections[0].field("body").new == "New words"
    assert {(i.key, i.kind) for i in diff.outcomes} == {("O2", CHANGED), ("O3", ADDED)}
    assert {(i.key, i.kind) for i in diff.requirements} == {
        ("O2.R1", REMOVED),
        ("O1.R2", ADDED),
        ("O1.R1", CHANGED),
    }
    assert diff.summary() == (
        "1 section changed, 1 outcome added, 1 outcome changed, 1 requirement added, "
        "1 requirement removed, 1 requirement changed, tolerances or dates changed"
    )


def test_tolerance_changes_are_reported(pair, commissioner):
    old, new = pair
    services.version_update(version=new, budget_tolerance_percent=Decimal("3"), by=commissioner)
    names = [f.name for f in _diff(old, new).version_fields]
    assert "budget_tolerance_percent" in names


def test_diff_costs_no_queries_on_prefetched_versions(pair, django_assert_num_queries):
    old, new = (version_with_content(v.pk) for v in pair)
    with django_assert_num_queries(0):
        versions_diff(old, new).summary()


# Word by word ---------------------------------------------------------------------


def test_word_diff_marks_each_added_and_removed_word_and_keeps_both_texts_whole():
    from specifications.diff import SAME, word_diff

    old = "Libraries open six days a week."
    new = "Libraries open seven days a week, and on bank holidays."
    pieces = word_diff(old, new)
    assert "".join(t for k, t in pieces if k in (SAME, ADDED)) == new
    assert "".join(t for k, t in pieces if k in (SAME, REMOVED)) == old
    assert [t.strip() for k, t in pieces if k == REMOVED] == ["six", "week."]
    assert [t.strip() for k, t in pieces if k == ADDED] == [
        "seven",
        "week, and on bank holidays.",
    ]


def test_word_diff_ignores_re_spacing():
    from specifications.diff import SAME, word_diff

    assert [k for k, _ in word_diff("one  two three", "one two three")] == [SAME]


LONG = " ".join(["The service keeps every library open as agreed."] * 12)  # ~600 characters


def _changed_section_page(client, people, old_body, new_body):
    c = people[0]
    first = draft_version(c)
    services.section_update(
        section=first.sections.get(kind="overview"), heading="Overview", body=old_body, by=c
    )
    take_to(first, VersionStatus.PUBLISHED, *people)
    FinancialYear.objects.get_or_create(start_year=2017)
    draft = services.specification_start_next_year(today=datetime.date(2016, 10, 1), by=c)
    services.section_update(
        section=draft.sections.get(kind="overview"), heading="Overview", body=new_body, by=c
    )
    take_to(draft, VersionStatus.PUBLISHED, *people)
    url = reverse(
        "specifications:public_version",
        kwargs={"start_year": 2017, "major": draft.major, "minor": 0},
    )
    return client.get(url).content.decode()


@pytest.fixture
def people(commissioner, board_member, head_of_service):
    return commissioner, board_member, head_of_service


def test_a_sentence_added_after_300_characters_is_shown_and_marked_as_added(client, people):
    html = _changed_section_page(client, people, LONG, LONG + " Sunday opening starts in June.")
    assert (
        '<ins class="lra-diff__added"><span class="govuk-visually-hidden">added: </span>'
        "Sunday opening starts in June.</ins>" in html
    )
    # Nothing is cut: the whole text is there, with no ellipsis.
    assert html.count("The service keeps every library open as agreed.") >= 12
    assert "…" not in html


def test_a_removed_word_is_struck_through_with_its_kind_in_words(client, people):
    html = _changed_section_page(client, people, "Open six days a week.", "Open seven days a week.")
    assert (
        '<del class="lra-diff__removed"><span class="govuk-visually-hidden">removed: </span>'
        "six </del>" in html
    )
    assert "added: </span>seven </ins>" in html


def test_text_in_a_diff_is_escaped(client, people):
    html = _changed_section_page(
        client, people, "Plain text.", 'Plain text. <script>alert("x")</script>'
    )
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</ins>" in html
