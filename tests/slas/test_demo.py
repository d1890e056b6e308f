"""The demo SLAs: eight for 2016/17, Health & Safety agreed first, one late, a breach."""

import pytest

from lra_commissioning import demo
from slas import attention, selectors
from slas import demo as sla_demo
from slas.models import SLA, Rating


@pytest.mark.django_db
def test_demo_slas_tell_the_story_and_load_twice():
    ctx = demo.load("a-demo-password-123")
    sla_demo.load(ctx)
    sla_demo.load(ctx)
    year = SLA.objects.filter(financial_year__start_year=2016).order_by("agreed_on")
    assert year.count() == 8
    assert year.first().support_service.name == "Health & Safety"
    late = [s for s in selectors.sla_year_summary(start_year=2016) if not s.agreed_by_deadline]
    assert [s.support_service for s in late] == ["Digital Services"]
    assert SLA.objects.filter(service_levels__results__rating=Rating.BREACHED).exists()
    groups = {item.group for item in attention.items_for(ctx.support)}
    assert groups == {attention.TO_AGREE, attention.RESULTS_DUE, attention.BREACHES}
    assert [i.group for i in attention.items_for(ctx.manager)] == [attention.TO_AGREE]
