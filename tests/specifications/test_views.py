import io

import pytest
from django.urls import reverse

from lra_commissioning.models import FinancialYear
from specifications import services
from specifications.models import KPI, CommentStatus, PublicComment, VersionStatus

from .factories import draft_version, kpi_fields, published_version, take_to

V = VersionStatus
CURRENT = reverse("specifications:public_current")
COMMENT = reverse("specifications:public_comment")


@pytest.fixture
def people(commissioner, board_member, head_of_service):
    return commissioner, board_member, head_of_service


@pytest.fixture
def current(people):
    return published_version(*people)


def _post_comment(client, **data):
    payload = {"section": "0", "body": "Please open on Sundays."}
    payload.update(data)
    return client.post(COMMENT, payload, REMOTE_ADDR=data.pop("addr", "203.0.113.9"))


# The public specification page -----------------------------------------------------------


def test_public_page_shows_the_version_in_force_without_signing_in(client, current):
    response = client.get(CURRENT)
    assert response.status_code == 200
    assert b"KPIs, targets and floors" in response.content
    assert b"K000" in response.content


def test_public_page_costs_a_fixed_number_of_queries_however_many_kpis_and_comments(
    client, people, django_assert_max_num_queries
):
    c = people[0]
    version = published_version(*people, kpis=2)

    def measure():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(CURRENT).status_code == 200
        return len(ctx.captured_queries)

    small = measure()
    # Grow: many more comments, each published with a response, on sections too.
    section = version.sections.first()
    for i in range(40):
        comment = services.comment_submit(
            version=version, body=f"Comment {i}", address=f"a{i}", section=section
        )
        services.comment_publish(comment=comment, by=c)
        services.comment_respond(comment=comment, response="Thanks", by=c)
    grown = measure()
    assert grown == small
    with django_assert_max_num_queries(12):
        client.get(CURRENT)


def test_public_page_query_count_does_not_grow_with_kpis(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for year, kpis in ((2016, 1), (2017, 60)):
        FinancialYear.objects.get_or_create(start_year=year)
        published_version(*people, start_year=year, kpis=kpis)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(CURRENT)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_comment_is_held_for_moderation_and_not_shown(client, current):
    response = _post_comment(client, name="Ann Example", email="ann@example.net")
    assert response.status_code == 302
    assert response["Location"] == reverse("specifications:comment_received")
    comment = PublicComment.objects.get()
    assert comment.status == CommentStatus.PENDING and comment.name == "Ann Example"
    assert b"Please open on Sundays" not in client.get(CURRENT).content


def test_the_honeypot_keeps_nothing_but_looks_the_same_to_a_bot(client, current):
    response = _post_comment(client, website="http://spam.example")
    assert response.status_code == 302
    assert not PublicComment.objects.exists()


def test_a_comment_over_5000_characters_is_refused_with_a_message(client, current):
    response = _post_comment(client, body="x" * 5001)
    assert response.status_code == 400
    assert "Your comment must be 5,000 characters or fewer" in response.content.decode()
    assert "(error)" in response.content.decode()
    assert not PublicComment.objects.exists()


def test_an_empty_comment_is_refused_with_a_message(client, current):
    response = _post_comment(client, body="")
    assert "Enter your comment" in response.content.decode()


def test_the_rate_limit_shows_a_message_on_the_form(client, current, settings):
    settings.COMMENT_RATE_LIMIT_PER_HOUR = 2
    for _ in range(2):
        assert _post_comment(client).status_code == 302
    response = _post_comment(client)
    assert response.status_code == 400
    assert "Wait an hour" in response.content.decode()
    assert PublicComment.objects.count() == 2


def test_html_in_a_published_comment_is_shown_as_text(client, current, commissioner):
    _post_comment(client, body="<script>alert('x')</script><b>bold</b>")
    comment = PublicComment.objects.get()
    services.comment_publish(comment=comment, by=commissioner)
    html = client.get(CURRENT).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_published_comments_show_no_personal_data(client, current, commissioner):
    _post_comment(client, name="Zelda Private", email="zelda@example.net")
    services.comment_publish(comment=PublicComment.objects.get(), by=commissioner)
    html = client.get(CURRENT).content.decode()
    assert "Please open on Sundays" in html
    assert "Zelda" not in html and "zelda@example.net" not in html


def test_comment_export_neutralises_spreadsheet_formulas(client, current, commissioner):
    _post_comment(client, body='=HYPERLINK("http://evil.example")', name="@admin")
    client.force_login(commissioner)
    response = client.get(reverse("specifications:comment_export"))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@admin" in text


def test_comment_export_is_for_commissioners_only(client, current, board_member):
    client.force_login(board_member)
    assert client.get(reverse("specifications:comment_export")).status_code == 403


def test_versions_page_lists_each_published_version_with_what_changed(client, people):
    c = people[0]
    first = published_version(*people)
    FinancialYear.objects.get_or_create(start_year=2017)
    from datetime import date

    draft = services.specification_start_next_year(today=date(2016, 10, 1), by=c)
    services.kpi_update(kpi=draft.kpis.get(), annual_target=1500, floor=1400, by=c)
    take_to(draft, V.PUBLISHED, *people)
    html = client.get(reverse("specifications:public_versions")).content.decode()
    assert "1 KPI changed" in html and "The first published version" in html
    page = client.get(
        reverse(
            "specifications:public_version",
            kwargs={"start_year": 2017, "major": draft.major, "minor": 0},
        )
    ).content.decode()
    assert "1,000" in page and "1,500" in page  # old and new targets side by side
    assert first.number in page


def test_a_draft_is_not_on_the_public_site(client, commissioner):
    version = draft_version(commissioner)
    url = reverse(
        "specifications:public_version",
        kwargs={"start_year": 2016, "major": version.major, "minor": 0},
    )
    assert client.get(url).status_code == 404


def test_compare_refuses_the_same_version_twice_with_a_message(client, current):
    response = client.get(
        reverse("specifications:public_compare"), {"old": current.pk, "new": current.pk}
    )
    assert response.status_code == 400
    assert "Choose two different versions to compare" in response.content.decode()


# The PDF --------------------------------------------------------------------------------


def test_the_pdf_is_tagged_with_title_language_and_the_kpi_table(client, current):
    from pypdf import PdfReader

    url = reverse(
        "specifications:public_version_pdf",
        kwargs={"start_year": 2016, "major": current.major, "minor": 0},
    )
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert reader.metadata.title.startswith("Libraries, Registration and Archives service")
    assert str(root["/Lang"]).lower() == "en-gb"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Key performance indicators" in text and "K000" in text

    def tags(node, found):
        node = node.get_object()
        if isinstance(node, dict) or hasattr(node, "get"):
            if "/S" in node:
                found.add(str(node["/S"]))
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, list) else [kids]:
                    if hasattr(kid, "get_object") or isinstance(kid, dict):
                        tags(kid, found)
        return found

    found = tags(root["/StructTreeRoot"], set())
    assert {"/Table", "/TH", "/TD", "/H1"} <= found


def test_the_published_pdf_is_rendered_once_and_kept(client, current, monkeypatch):
    from specifications import pdf

    url = reverse(
        "specifications:public_version_pdf",
        kwargs={"start_year": 2016, "major": current.major, "minor": 0},
    )
    first = client.get(url).content
    monkeypatch.setattr(pdf, "render_version_pdf_bytes", lambda *a, **k: pytest.fail("re-rendered"))
    assert client.get(url).content == first


# Staff pages: roles × actions on the server --------------------------------------------


ACTIONS = {
    # action: (state it needs, URL name, POST data, role allowed, state after)
    "submit": (V.DRAFT, "version_submit", {}, "commissioner", V.WITH_BOARD),
    "sign_off": (
        V.WITH_BOARD,
        "version_sign_off",
        {
            "decided_on_0": "20",
            "decided_on_1": "1",
            "decided_on_2": "2016",
            "minute_reference": "SB/1",
        },
        "board_member",
        V.SIGNED_OFF,
    ),
    "return": (
        V.WITH_BOARD,
        "version_return",
        {
            "decided_on_0": "20",
            "decided_on_1": "1",
            "decided_on_2": "2016",
            "comments": "Raise targets",
        },
        "board_member",
        V.RETURNED,
    ),
    "agree": (V.SIGNED_OFF, "version_agree", {}, "head_of_service", V.AGREED),
    "publish": (V.AGREED, "version_publish", {}, "commissioner", V.PUBLISHED),
}
ROLES = [
    "commissioner",
    "board_member",
    "head_of_service",
    "service_manager",
    "support_lead",
    "administrator",
]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_each_version_action_is_refused_on_the_server_for_other_roles(
    client, request, people, action, role
):
    state, url_name, data, allowed_role, after = ACTIONS[action]
    version = take_to(draft_version(people[0]), state, *people)
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse(f"specifications:{url_name}", args=[version.pk]), data)
    version.refresh_from_db()
    if role == allowed_role:
        assert response.status_code == 302
        assert version.status == after
    else:
        # A draft is the commissioners' alone: the service and the board are not told
        # it exists (404); everyone else is refused the action (403).
        drafts_hidden_from = ("board_member", "head_of_service", "service_manager")
        hidden = state == V.DRAFT and role in drafts_hidden_from
        assert response.status_code == (404 if hidden else 403)
        assert version.status == state


def test_editing_a_signed_off_version_is_refused_on_the_server(client, people):
    c = people[0]
    version = take_to(draft_version(c), V.SIGNED_OFF, *people)
    kpi = version.kpis.get()
    client.force_login(c)
    data = {
        **kpi_fields("K000", annual_target="5", floor="4"),
        "higher_is_better": "yes",
        "is_activity": "no",
        "outcome": "",
    }
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(reverse("specifications:kpi_edit", args=[kpi.pk]), data, follow=True)
    assert "cannot be changed" in response.content.decode()
    kpi.refresh_from_db()
    assert kpi.annual_target == 1000


def _kpi_post(**overrides):
    data = {
        "code": "NEW1",
        "title": "New KPI",
        "outcome": "",
        "service_area": "libraries",
        "unit": "percentage",
        "higher_is_better": "yes",
        "frequency": "monthly",
        "annual_aggregation": "average",
        "is_activity": "no",
        "annual_target": "95",
        "floor": "90",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"floor": "96"}, "the floor must be at or below the target"),
        ({"annual_target": "101"}, "cannot be more than 100"),
        ({"annual_target": "ninety"}, "Enter the annual target as a number"),
        ({"code": ""}, "Enter the KPI code"),
    ],
)
def test_kpi_form_shows_the_rule_broken_and_saves_nothing(client, commissioner, overrides, message):
    version = draft_version(commissioner, kpis=0)
    client.force_login(commissioner)
    response = client.post(
        reverse("specifications:kpi_create", args=[version.pk]), _kpi_post(**overrides)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not KPI.objects.filter(version=version).exists()


def test_kpi_form_saves_a_sound_kpi(client, commissioner):
    version = draft_version(commissioner, kpis=0)
    client.force_login(commissioner)
    response = client.post(reverse("specifications:kpi_create", args=[version.pk]), _kpi_post())
    assert response.status_code == 302
    assert version.kpis.get().floor == 90


def test_start_next_year_from_the_staff_page(client, people):
    published_version(*people)
    FinancialYear.objects.get_or_create(start_year=2017)
    client.force_login(people[0])
    import time_machine

    with time_machine.travel("2016-10-01 10:00 +0100", tick=False):
        response = client.post(reverse("specifications:start_next_year"))
    assert response.status_code == 302
    from specifications.models import SpecificationVersion

    draft = SpecificationVersion.objects.get(status=V.DRAFT)
    assert draft.specification.financial_year.start_year == 2017


def test_attention_items_for_each_role(people, service_manager):
    from specifications.attention import items_for

    c, b, h = people
    version = take_to(draft_version(c), V.WITH_BOARD, *people)
    assert [i.group for i in items_for(b)] == ["Specifications to sign off"]
    assert items_for(h) == [] and items_for(c) == []
    version = take_to(draft_version(c, start_year=2017), V.SIGNED_OFF, *people)
    assert [i.group for i in items_for(h)] == ["Specifications to agree"]
    # A service manager who is not head of service cannot agree, so is not asked to.
    assert items_for(service_manager) == []
    assert version.pk


def test_home_page_lists_comments_awaiting_moderation(client, current, commissioner):
    _post_comment(client)
    client.force_login(commissioner)
    html = client.get(reverse("home")).content.decode()
    assert "Comments awaiting moderation" in html and "1 public comment" in html


# Behind the TLS proxy: each commenter has their own limit ---------------------------------


def _post_through(client, forwarded, remote="10.0.0.5"):
    return client.post(
        COMMENT,
        {"section": "0", "body": "Please open on Sundays."},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_the_proxy_the_limit_is_per_commenter_not_per_proxy(client, current, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    settings.COMMENT_RATE_LIMIT_PER_HOUR = 2
    assert _post_through(client, "203.0.113.1").status_code == 302
    assert _post_through(client, "203.0.113.1").status_code == 302
    assert "Wait an hour" in _post_through(client, "203.0.113.1").content.decode()
    # Someone else, through the same proxy, may still comment.
    assert _post_through(client, "203.0.113.2").status_code == 302
    assert PublicComment.objects.count() == 3


def test_a_made_up_forwarded_address_does_not_escape_the_limit(client, current, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    settings.COMMENT_RATE_LIMIT_PER_HOUR = 2
    for n in range(2):
        assert _post_through(client, f"198.51.100.{n}", remote="192.0.2.50").status_code == 302
    response = _post_through(client, "198.51.100.9", remote="192.0.2.50")
    assert response.status_code == 400
    assert PublicComment.objects.count() == 2


# The head of service returns a signed-off version (seed paper §6.2) -----------------


def test_the_head_of_service_returns_a_signed_off_version_with_reasons(client, people):
    c, b, h = people
    version = take_to(draft_version(c), V.SIGNED_OFF, *people)
    page = reverse("specifications:version_detail", args=[version.pk])
    url = reverse("specifications:version_return_by_service", args=[version.pk])
    client.force_login(h)
    assert url in client.get(page).content.decode()
    refused = client.post(url, {"reasons": ""})
    assert refused.status_code == 400
    assert "Enter the service&#x27;s reasons" in refused.content.decode()
    response = client.post(url, {"reasons": "We cannot staff <b>Sunday</b> opening."})
    assert response.status_code == 302
    assert response.url == reverse("specifications:staff_index")
    version.refresh_from_db()
    assert version.status == V.RETURNED_BY_SERVICE
    # The commissioner reads the reasons (as text) and may revise and resubmit it.
    client.force_login(c)
    html = client.get(page).content.decode()
    assert "We cannot staff &lt;b&gt;Sunday&lt;/b&gt; opening." in html
    assert "Returned by the service" in html
    assert reverse("specifications:version_submit", args=[version.pk]) in html
    assert reverse("specifications:version_edit", args=[version.pk]) in html
    home = client.get(reverse("home")).content.decode()
    assert "Specifications returned by the service" in home


def test_only_the_head_of_service_sees_the_return_button(client, people, service_manager):
    c, b, h = people
    version = take_to(draft_version(c), V.SIGNED_OFF, *people)
    page = reverse("specifications:version_detail", args=[version.pk])
    url = reverse("specifications:version_return_by_service", args=[version.pk])
    for who in (service_manager, c, b):
        client.force_login(who)
        assert url not in client.get(page).content.decode()
        assert client.post(url, {"reasons": "No."}).status_code == 403
    version.refresh_from_db()
    assert version.status == V.SIGNED_OFF
