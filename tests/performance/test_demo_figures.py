"""The demo's figures: Kent's 2016/17 exactly, then a plausible, moving, steerable story."""

import datetime
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from lra_commissioning import dates
from performance import demo_figures as figures
from performance import rag

LAST_YEAR = 2030  # well past today: the generator has no end date
YEARS = range(figures.FIRST_YEAR, LAST_YEAR + 1)
MONTHLY = [code for code, kpi in figures.KPIS.items() if kpi.frequency == figures.MONTHLY]


def months(start_year=figures.FIRST_YEAR, end_year=LAST_YEAR):
    month = datetime.date(start_year, 4, 1)
    while month <= datetime.date(end_year + 1, 3, 1):
        yield month
        month = dates.add_months(month, 1)


def year_values(code, start_year, story=None):
    return [figures.monthly_value(code, m, story) for m in dates.financial_year_months(start_year)]


@pytest.mark.parametrize(
    ("code", "published"),
    [
        ("LIB02", 4_928_717),  # items issued
        ("LIB01", 5_231_868),  # library visits
        ("LIB04", 162_792),  # active borrowers at year end
        ("LIB05", 1_428),  # home library service customers at year end
        ("ARC01", 30_679),  # archive documents produced
        ("REG05", 18_742),  # births registered
        ("REG06", 15_419),  # deaths registered
        ("REG07", 6_452),  # ceremonies
    ],
)
def test_2016_17_gives_kents_published_figures_exactly(code, published):
    assert figures.annual_value(code, 2016) == published
    if figures.KPIS[code].aggregation == figures.SUM:
        assert sum(year_values(code, 2016)) == published
    else:
        assert figures.monthly_value(code, datetime.date(2017, 3, 1)) == published


def test_no_story_can_move_the_published_year():
    story = {("LIB01", 2016): "red", ("REG01", 2016): "amber"}
    for code in figures.KPIS:
        assert year_values(code, 2016, story) == year_values(code, 2016)


def test_the_same_call_gives_the_same_figures_in_a_fresh_generator():
    story = {("REG03", 2025): "amber"}
    before = {code: year_values(code, 2025, story) for code in figures.KPIS}
    figures._values.cache_clear()
    after = {code: year_values(code, 2025, story) for code in figures.KPIS}
    assert before == after


def test_another_process_with_another_hash_seed_gives_the_same_figures():
    script = (
        "import datetime; from performance.demo_figures import monthly_value as v; "
        "print([str(v(c, datetime.date(2024, m, 1))) for c in ('LIB01', 'REG01', 'LIB04') "
        "for m in range(1, 13)])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    here = [
        str(figures.monthly_value(c, datetime.date(2024, m, 1)))
        for c in ("LIB01", "REG01", "LIB04")
        for m in range(1, 13)
    ]
    assert out == str(here)


@pytest.mark.parametrize("code", list(figures.KPIS))
def test_no_kpi_stays_flat_for_three_reports_running(code):
    for story in (None, {(code, 2022): "red", (code, 2024): "amber"}):
        if figures.KPIS[code].target is None and story:
            continue
        reported = [figures.monthly_value(code, m, story) for m in months()]
        reported = [v for v in reported if v is not None]
        runs = [reported[i : i + 3] for i in range(len(reported) - 2)]
        assert not [run for run in runs if len(set(run)) == 1], code


@pytest.mark.parametrize("code", list(figures.KPIS))
def test_figures_are_never_negative_and_have_the_kpis_decimal_places(code):
    places = figures.KPIS[code].places
    for month in months():
        value = figures.monthly_value(code, month)
        if value is None:
            continue
        assert value >= 0
        assert -value.as_tuple().exponent == places, (code, month, value)


def test_e_issues_grow_and_visits_fall_over_five_years():
    assert figures.annual_value("LIB03", 2021) > figures.annual_value("LIB03", 2016)
    assert figures.annual_value("LIB01", 2021) < figures.annual_value("LIB01", 2016)
    for start in range(2023, LAST_YEAR - 4):  # once recovered from Covid, every five years
        assert figures.annual_value("LIB03", start + 5) > figures.annual_value("LIB03", start)
        assert figures.annual_value("LIB01", start + 5) < figures.annual_value("LIB01", start)


def test_the_covid_year_shuts_buildings_and_lifts_deaths_and_e_issues():
    assert figures.annual_value("LIB01", 2020) < figures.annual_value("LIB01", 2019) / 3
    assert figures.annual_value("REG07", 2020) < figures.annual_value("REG07", 2019) / 2
    assert figures.annual_value("REG06", 2020) > figures.annual_value("REG06", 2019)
    assert figures.annual_value("LIB03", 2020) > figures.annual_value("LIB03", 2019)


def test_quarterly_and_annual_kpis_report_only_where_a_period_ends():
    assert [v is not None for v in year_values("LIB06", 2023)] == [False, False, True] * 4
    assert [v is not None for v in year_values("ARC03", 2023)] == [False] * 11 + [True]
    assert figures.monthly_value("LIB08", datetime.date(2016, 6, 1)) is None
    assert figures.monthly_value("LIB08", datetime.date(2017, 6, 1)) is not None
    assert figures.monthly_value("LIB01", datetime.date(2016, 3, 1)) is None
    assert figures.monthly_value("NOPE", datetime.date(2020, 3, 1)) is None


def _ratings(code, start_year, story=None):
    """The rating after each reported month, as the dashboard computes it."""
    kpi = figures.KPIS[code]
    goal = figures.targets(code, start_year, story)
    values = year_values(code, start_year, story)
    ratings, ytd = [], Decimal(0)
    for number, value in enumerate(values, start=1):
        if value is None:
            continue
        ytd += value
        ratings.append(
            rag.rate(
                value=value,
                target=goal.target,
                floor=goal.floor,
                higher_is_better=kpi.higher_is_better,
                cumulative=kpi.aggregation == figures.SUM,
                month_number=number,
                profile=goal.profile,
                ytd_value=ytd,
                is_activity=goal.target is None,
                expected_low=goal.expected_low,
                expected_high=goal.expected_high,
            ).state
        )
    return ratings


@pytest.mark.parametrize("code", list(figures.KPIS))
def test_later_years_are_green_or_in_range_against_their_targets(code):
    for start_year in range(2018, LAST_YEAR + 1):
        ratings = _ratings(code, start_year)
        assert set(ratings) <= {rag.GREEN, rag.IN_RANGE}, (code, start_year, ratings)


def test_2016_17_is_rated_against_the_published_specification():
    assert _ratings("LIB05", 2016)[-1] == rag.RED
    assert _ratings("REG05", 2016)[-1] == rag.IN_RANGE


@pytest.mark.parametrize("year", [2019, 2025, 2029])
@pytest.mark.parametrize("code", ["REG03", "LIB04", "LIB01", "ARC03", "REG04", "LIB06"])
@pytest.mark.parametrize("state", [figures.AMBER, figures.RED])
def test_a_story_steers_a_kpi_amber_or_red_for_a_year_and_it_recovers_the_next(code, state, year):
    story = {(code, year): state}
    steered = _ratings(code, year, story)
    assert steered[-1] == state
    assert steered.count(state) >= len(steered) - 1  # from the second report on
    recovered = _ratings(code, year + 1, story)
    assert recovered[-1] == rag.GREEN
    assert recovered == _ratings(code, year + 1) or recovered[0] != rag.GREEN
    # The story touches only that KPI.
    assert year_values("LIB02", year, story) == year_values("LIB02", year)


def test_registration_follows_deaths_fewer_registered_in_time_in_winter():
    january = [figures.monthly_value("REG01", datetime.date(y + 1, 1, 1)) for y in YEARS]
    july = [figures.monthly_value("REG01", datetime.date(y, 7, 1)) for y in YEARS]
    assert sum(january) < sum(july)


def test_an_activity_kpi_cannot_be_steered():
    with pytest.raises(ValueError, match="activity"):
        figures.monthly_value("REG05", datetime.date(2025, 5, 1), {("REG05", 2025): "red"})
    with pytest.raises(ValueError, match="amber or red"):
        figures.monthly_value("REG01", datetime.date(2025, 5, 1), {("REG01", 2025): "purple"})


def test_yearly_factor_grows_costs_from_2016_17():
    assert figures.yearly_factor(2016) == 1
    factors = [figures.yearly_factor(y) for y in YEARS]
    assert factors == sorted(factors) and len(set(factors)) == len(factors)
    for year in range(figures.FIRST_YEAR + 1, LAST_YEAR + 1):
        growth = figures.yearly_factor(year) / figures.yearly_factor(year - 1) - 1
        assert Decimal("0.01") < growth < Decimal("0.08"), year
