"""The SLAs' chapter of the demo story (see lra_commissioning.story).

The eight support services and their SLAs for 2016/17: Health & Safety agreed
first (February 2016), the others in March, Digital Services late (May 2016,
after the 1 April deadline), with realistic service levels and quarterly
results: a repeated breach on ICT's P1 incidents (explained, with an
improvement action) and an unexplained breach on Health & Safety. Every later
year each SLA is reviewed in January and renewed as a copy, proposed,
agreed by both sides before 1 April (Digital Services late again this year)
and brought into force; results are reported each quarter, on target except
one ICT breach this year. The demo support lead (support@example.org) leads
Health & Safety and ICT; the other six services' leads have no demo sign-ins.
"""

import datetime
from decimal import Decimal

from lra_commissioning import dates
from lra_commissioning.roles import Role
from lra_commissioning.services import user_create_or_update

from . import services
from .models import SLA, EscalationContact, LevelUnit, SupportService, level_periods, results_due_on
from .services import SERVICE_SIDE, SUPPORT_SIDE, support_service_create_or_update

YEAR = 2016

SUPPORT_SERVICES = [
    (
        "ICT",
        "Council-wide ICT: service desk, end-user devices, networks, line-of-business "
        "systems hosting and information security.",
    ),
    (
        "HR",
        "Council-wide HR: recruitment, employee relations, payroll administration, "
        "learning and development, policy advice.",
    ),
    (
        "Finance",
        "Council-wide finance: budget setting and monitoring support, accounts "
        "payable and receivable, treasury, audit liaison.",
    ),
    (
        "Property",
        "Council-wide property: facilities management through the total facilities "
        "management contract, maintenance, estates and lettings.",
    ),
    (
        "Contact Centre",
        "Council-wide contact centre: telephone and web enquiries, "
        "appointment booking, complaints routing.",
    ),
    (
        "Communications",
        "Council-wide communications: press office, campaigns, web content, "
        "internal communications.",
    ),
    (
        "Health & Safety",
        "Council-wide health and safety: policy, risk assessment support, "
        "incident reporting and investigation, training.",
    ),
    (
        "Digital Services",
        "Council-wide digital services: online forms, payments, the "
        "council website platform, digital transformation.",
    ),
]

# Leads for the support services the demo support lead does not lead: each SLA
# needs its own lead's agreement. They are records of people, not demo sign-ins
# (no password; the five demo sign-ins are the @example.org accounts).
OTHER_LEADS = {
    "HR": ("hr.lead@example.net", "Grace Adeyemi", "HR Business Partner"),
    "Finance": ("finance.lead@example.net", "Tom Whitfield", "Finance Business Partner"),
    "Property": ("property.lead@example.net", "Lena Novak", "Head of Facilities Management"),
    "Contact Centre": ("contact.lead@example.net", "Dev Patel", "Contact Centre Manager"),
    "Communications": ("comms.lead@example.net", "Ruth Ellis", "Communications Manager"),
    "Digital Services": ("digital.lead@example.net", "Owen Price", "Head of Digital Services"),
}

P, H, D, S = LevelUnit.PERCENTAGE, LevelUnit.WORKING_HOURS, LevelUnit.WORKING_DAYS, LevelUnit.SCORE

# name: (proposed, support agreed, service agreed, charge, basis, bespoke, levels, rows, contacts)
# levels: (measure, unit, target, higher is better, how measured, quarterly results)
SLAS = {
    "Health & Safety": {
        "proposed": datetime.date(2016, 2, 1),
        "support_agreed": datetime.date(2016, 2, 15),
        "service_agreed": datetime.date(2016, 2, 22),
        "charge": "36900.00",
        "basis": "Recharge: 0.6 FTE of the corporate health and safety team.",
        "bespoke": "Fire risk assessments for all 99 libraries and the archive search rooms; "
        "lone-working support for mobile and home library staff.",
        "levels": [
            (
                "Incident reports investigated within 10 working days",
                P,
                "90",
                True,
                "Incidents logged in the corporate incident system, measured from the report "
                "to the investigation's close, in working days.",
                ["94", "92.5", "86", "91"],
            ),
            (
                "Fire risk assessments reviewed on schedule",
                P,
                "100",
                True,
                "Assessments due in the quarter against those reviewed by their due date.",
                ["100", "100", "100", "100"],
            ),
            (
                "Advice requests answered within 3 working days",
                P,
                "95",
                True,
                "Requests to the health and safety mailbox, from receipt to first full answer.",
                ["97", "96", "95", "98"],
            ),
        ],
        "rows": [
            (
                "Report an incident or near miss",
                "RA",
                "I",
                "Library or site manager",
                "Safety adviser",
            ),
            ("Investigate serious incidents", "C", "RA", "Area manager", "Safety adviser"),
            (
                "Fire risk assessment of each building",
                "CI",
                "RA",
                "Building manager",
                "Fire safety officer",
            ),
            (
                "Lone-working procedures for mobile libraries",
                "RA",
                "C",
                "Mobile services manager",
                "Safety adviser",
            ),
        ],
        "contacts": [
            ("support", 1, "Priya Shah", "Health and Safety Manager"),
            ("service", 1, "Daniel Okoro", "Head of Service"),
        ],
    },
    "ICT": {
        "proposed": datetime.date(2016, 2, 29),
        "support_agreed": datetime.date(2016, 3, 14),
        "service_agreed": datetime.date(2016, 3, 18),
        "charge": "412000.00",
        "basis": "Recharge per device (1,240 public and staff PCs) plus library management "
        "system hosting.",
        "bespoke": "Public network and PCs in every library during opening hours, including "
        "Saturdays; library management system hosting; registration system support.",
        "levels": [
            (
                "P1 incidents resolved within 4 working hours",
                P,
                "95",
                True,
                "Priority 1 incidents (a library closed to the public or a system down) from "
                "logging to resolution, in working hours (09:00 to 17:00 on working days).",
                ["96.2", "93.1", "91.8", None],
            ),
            (
                "Public network available in library opening hours",
                P,
                "99.5",
                True,
                "Minutes of availability in opening hours against opening minutes.",
                ["99.8", "99.7", "99.6", None],
            ),
            (
                "New starters' accounts ready within 5 working days",
                P,
                "95",
                True,
                "Requests made through the service desk, from approval to the account working.",
                ["97", "98", "96", None],
            ),
        ],
        "rows": [
            ("Log incidents with the service desk", "R", "AI", "Library staff", "Service desk"),
            ("Resolve incidents", "I", "RA", "Service desk user", "Service desk"),
            (
                "Approve changes to the library management system",
                "A",
                "RC",
                "Systems manager",
                "Change board",
            ),
            ("Replace end-of-life public PCs", "C", "RA", "Area managers", "End-user computing"),
        ],
        "contacts": [
            ("support", 1, "Service desk manager", "ICT Service Desk"),
            ("support", 2, "Priya Shah", "ICT relationship lead"),
            ("service", 1, "Daniel Okoro", "Head of Service"),
        ],
    },
    "HR": {
        "proposed": datetime.date(2016, 2, 22),
        "support_agreed": datetime.date(2016, 3, 9),
        "service_agreed": datetime.date(2016, 3, 11),
        "charge": "96500.00",
        "basis": "Recharge by headcount (612 staff).",
        "bespoke": "Recruitment of sessional registrars and Saturday library assistants.",
        "levels": [
            (
                "Vacancies filled within 15 working days of the advert closing",
                D,
                "15",
                False,
                "Median working days from the advert's close to the offer.",
                ["14", "13", "15", "12"],
            ),
            (
                "Payroll paid accurately",
                P,
                "99.5",
                True,
                "Payslips without an error reported in the month.",
                ["99.8", "99.9", "99.7", "99.8"],
            ),
        ],
        "rows": [
            ("Recruit to vacancies", "RA", "C", "Hiring manager", "Recruitment team"),
            ("Run the payroll", "I", "RA", "", "Payroll"),
        ],
        "contacts": [("support", 1, "Grace Adeyemi", "HR Business Partner")],
    },
    "Finance": {
        "proposed": datetime.date(2016, 2, 22),
        "support_agreed": datetime.date(2016, 3, 10),
        "service_agreed": datetime.date(2016, 3, 11),
        "charge": "128300.00",
        "basis": "Recharge by transaction volume and budget size.",
        "bespoke": "Monthly monitoring for the registration service's income.",
        "levels": [
            (
                "Invoices paid within 30 days",
                P,
                "95",
                True,
                "Undisputed invoices paid within 30 days of receipt.",
                ["96", "95.5", "97", "96.4"],
            ),
            (
                "Monitoring reports issued within 5 working days of month end",
                P,
                "100",
                True,
                "Reports issued on time against months.",
                ["100", "100", "100", "100"],
            ),
        ],
        "rows": [
            ("Monthly budget monitoring", "A", "R", "Head of Service", "Finance business partner"),
            ("Pay suppliers", "R", "A", "Budget holders", "Accounts payable"),
        ],
        "contacts": [("support", 1, "Tom Whitfield", "Finance Business Partner")],
    },
    "Property": {
        "proposed": datetime.date(2016, 2, 24),
        "support_agreed": datetime.date(2016, 3, 16),
        "service_agreed": datetime.date(2016, 3, 21),
        "charge": "386000.00",
        "basis": "Share of the total facilities management contract by floor area.",
        "bespoke": "Archive strongroom environmental controls; out-of-hours call-out for "
        "libraries.",
        "levels": [
            (
                "Emergency repairs attended within 4 working hours",
                P,
                "98",
                True,
                "Emergency jobs logged with the helpdesk, logging to attendance.",
                ["99", "98.5", "98", "99.2"],
            ),
            (
                "Routine repairs completed within 20 working days",
                P,
                "90",
                True,
                "Routine jobs completed on time.",
                ["91", "92", "90.5", "93"],
            ),
        ],
        "rows": [
            ("Report a repair", "RA", "I", "Site manager", "FM helpdesk"),
            ("Maintain strongroom environment", "C", "RA", "Archives manager", "FM contractor"),
        ],
        "contacts": [("support", 1, "Lena Novak", "Head of Facilities Management")],
    },
    "Contact Centre": {
        "proposed": datetime.date(2016, 2, 25),
        "support_agreed": datetime.date(2016, 3, 22),
        "service_agreed": datetime.date(2016, 3, 24),
        "charge": "214750.00",
        "basis": "Recharge per call handled (about 190,000 a year).",
        "bespoke": "Registration appointment booking, including ceremonies.",
        "levels": [
            (
                "Calls answered within 20 seconds",
                P,
                "80",
                True,
                "Telephony system statistics.",
                ["82", "81", "80.5", "83"],
            ),
            (
                "Calls abandoned",
                P,
                "5",
                False,
                "Calls abandoned after 10 seconds in the queue.",
                ["4.2", "4.8", "4.5", "3.9"],
            ),
        ],
        "rows": [
            ("Book registration appointments", "A", "R", "Registration manager", "Contact centre"),
            (
                "Keep scripts and knowledge base current",
                "R",
                "A",
                "Service leads",
                "Knowledge team",
            ),
        ],
        "contacts": [("support", 1, "Dev Patel", "Contact Centre Manager")],
    },
    "Communications": {
        "proposed": datetime.date(2016, 3, 1),
        "support_agreed": datetime.date(2016, 3, 23),
        "service_agreed": datetime.date(2016, 3, 29),
        "charge": "48200.00",
        "basis": "Recharge: a share of the press office and web team.",
        "bespoke": "Summer Reading Challenge campaign; archive exhibition publicity.",
        "levels": [
            (
                "Press enquiries answered within 1 working day",
                P,
                "95",
                True,
                "Enquiries logged by the press office.",
                ["97", "96", "98", "97"],
            ),
            (
                "Web content published within 2 working days",
                P,
                "90",
                True,
                "Requests to the web team, received to published.",
                ["92", "91", "93", "90"],
            ),
        ],
        "rows": [
            ("Approve press releases", "A", "R", "Head of Service", "Press officer"),
            ("Update library pages on the council website", "R", "A", "Web editors", "Web team"),
        ],
        "contacts": [("support", 1, "Ruth Ellis", "Communications Manager")],
    },
    "Digital Services": {
        # Agreed after 1 April 2016: the one SLA late for 2016/17.
        "proposed": datetime.date(2016, 3, 21),
        "support_agreed": datetime.date(2016, 5, 4),
        "service_agreed": datetime.date(2016, 5, 9),
        "charge": "152400.00",
        "basis": "Recharge: platform licences plus development days.",
        "bespoke": "Online booking for registration appointments and library events.",
        "levels": [
            (
                "Online booking platform available",
                P,
                "99.5",
                True,
                "Monitored availability, 24 hours a day.",
                ["99.7", "99.8", "99.6", "99.9"],
            ),
            (
                "Customer satisfaction with online services",
                S,
                "4",
                True,
                "Average score from the end-of-transaction survey.",
                ["4.1", "4.2", "4.0", "4.3"],
            ),
        ],
        "rows": [
            ("Define requirements for online forms", "RA", "C", "Service leads", "Product owner"),
            ("Build and host online forms", "C", "RA", "", "Digital team"),
        ],
        "contacts": [("support", 1, "Owen Price", "Head of Digital Services")],
    },
}


# Levels whose results can be worked out from their cases: hours on the working clock.
TIME_LIMITS = {
    "P1 incidents resolved within 4 working hours": Decimal("4"),
    "Emergency repairs attended within 4 working hours": Decimal("4"),
}


def _leads(ctx):
    leads = {"Health & Safety": [ctx.support], "ICT": [ctx.support]}
    for service, (email, name, title) in OTHER_LEADS.items():
        user = user_create_or_update(
            email=email,
            full_name=name,
            job_title=title,
            roles=[Role.SUPPORT_LEAD],
            by=None,
        )
        ctx.users[email] = user
        leads[service] = [user]
    return leads


def _sla(name, start_year):
    return SLA.objects.get(support_service__name=name, financial_year__start_year=start_year)


def _first_year(story, name, spec, lead_of):
    """2016/17: the SLA written from scratch and agreed on its own dates."""
    ctx = story.ctx
    manager = ctx.manager

    def draft():
        sla = services.sla_create(
            support_service=SupportService.objects.get(name=name),
            start_year=YEAR,
            by=manager,
            bespoke=spec["bespoke"],
            annual_charge=Decimal(spec["charge"]),
            charge_basis=spec["basis"],
            starts_on=dates.financial_year_start(YEAR),
            review_on=datetime.date(YEAR, 12, 1),
        )
        for activity, service_raci, support_raci, service_who, support_who in spec["rows"]:
            services.responsibility_add(
                sla=sla,
                by=manager,
                activity=activity,
                service_raci=service_raci,
                support_raci=support_raci,
                service_who=service_who,
                support_who=support_who,
            )
        for measure, unit, target, higher, how, _results in spec["levels"]:
            services.service_level_save(
                sla=sla,
                by=manager,
                measure=measure,
                unit=unit,
                target=Decimal(target),
                higher_is_better=higher,
                how_measured=how,
                time_limit_hours=TIME_LIMITS.get(measure),
            )
        for side, level, person, title in spec["contacts"]:
            services.escalation_contact_add(
                sla=sla,
                by=manager,
                side=EscalationContact.Side(side),
                level=level,
                name=person,
                job_title=title,
            )

    def propose():
        services.sla_propose(sla=_sla(name, YEAR), by=manager)

    def support_agrees():
        services.sla_agree(sla=_sla(name, YEAR), side=SUPPORT_SIDE, by=lead_of(name))

    def service_agrees():
        services.sla_agree(sla=_sla(name, YEAR), side=SERVICE_SIDE, by=manager)

    def in_force():
        services.sla_bring_into_force(sla=_sla(name, YEAR), by=manager)

    story.on(spec["proposed"] - datetime.timedelta(days=14), draft, hour=10, label=f"SLA {name}")
    story.on(spec["proposed"], propose, hour=14)
    story.on(spec["support_agreed"], support_agrees, hour=11)
    story.on(spec["service_agreed"], service_agrees, hour=15)
    story.on(max(dates.financial_year_start(YEAR), spec["service_agreed"]), in_force, hour=17)
    results = {measure: values for measure, *_rest, values in spec["levels"]}

    def value(level, i):
        # A result the first demo left unreported is reported on target.
        reported = results[level.measure][i]
        return level.target if reported is None else reported

    _result_events(story, name, YEAR, lead_of, value)


# Next year's SLAs started early, this many days before today at the latest.
EARLY = {"ICT": 6, "Health & Safety": 10}


def _later_year(story, name, start_year, lead_of):
    """A later year: last year's SLA reviewed in January and renewed as a copy, proposed,
    agreed by both sides and in force from 1 April (Digital Services late this year)."""
    ctx = story.ctx
    manager = ctx.manager
    late = name == "Digital Services" and start_year == story.current_year

    def review():
        previous = _sla(name, start_year - 1)
        services.sla_start_review(sla=previous, by=manager)
        services.sla_renew(sla=previous, by=manager)

    def propose():
        services.sla_propose(sla=_sla(name, start_year), by=manager)

    def support_agrees():
        services.sla_agree(sla=_sla(name, start_year), side=SUPPORT_SIDE, by=lead_of(name))

    def service_agrees():
        services.sla_agree(sla=_sla(name, start_year), side=SERVICE_SIDE, by=manager)

    def in_force():
        services.sla_bring_into_force(sla=_sla(name, start_year), by=manager)

    offset = list(SLAS).index(name)
    day = story.working
    reviewed = story.moment(day(datetime.date(start_year, 1, 12 + offset)), 10)
    early = start_year == story.current_year + 1 and name in EARLY
    if early:
        # Started early this year: ICT's draft is being written, Health & Safety's is
        # proposed and waits for both sides.
        reviewed = story.before_now(reviewed, margin_minutes=60 * 24 * EARLY[name])
        if reviewed < story.moment(datetime.date(story.current_year, 5, 15), 10):
            return  # too early in the year to start next year's
    story.on(reviewed, review, label=f"SLA {name}")
    if late:
        proposed = day(datetime.date(start_year, 3, 16))
        support_on = day(datetime.date(start_year, 5, 5))
        service_on = day(datetime.date(start_year, 5, 8))
    else:
        proposed = day(datetime.date(start_year, 2, 2 + offset))
        support_on = day(datetime.date(start_year, 2, 20 + offset))
        service_on = day(datetime.date(start_year, 3, 2 + offset))
    if early and name == "Health & Safety":
        story.on(story.before_now(story.moment(proposed, 14), margin_minutes=60 * 24 * 3), propose)
        return
    story.on(proposed, propose, hour=14)
    story.on(support_on, support_agrees, hour=11)
    story.on(service_on, service_agrees, hour=15)
    story.on(max(datetime.date(start_year, 4, 1), service_on), in_force, hour=17)

    def value(level, i):
        target = level.target
        breach = (
            name == "ICT"
            and start_year == story.current_year
            and level.measure.startswith("P1 incidents")
        )
        step = Decimal("0.5") if level.unit in (P, S) and target < 10 else Decimal(1)
        if level.unit == S:
            step = Decimal("0.1")
        wobble = Decimal((start_year * 7 + i * 3 + level.order) % 4) * step
        if level.higher_is_better:
            better = target + wobble
            if level.unit == P:
                better = min(better, Decimal(100))
            worse = target - 4 * step
        else:
            better = max(target - wobble, Decimal(0))
            worse = target + 4 * step
        if breach and i == _last_reported(story, start_year):
            return worse, (
                "A network outage at the county data centre took down library systems for "
                "most of a day; every P1 incident that week ran over. The supplier has "
                "added a second link."
            )
        return better

    _result_events(story, name, start_year, lead_of, value)


def _last_reported(story, start_year) -> int:
    """The index of the last quarter of this year whose results are due by today."""
    quarters = dates.financial_year_quarters(start_year)
    done = [
        i
        for i, q in enumerate(quarters)
        if results_due_on(q.end) - datetime.timedelta(days=3) <= story.today
    ]
    return done[-1] if done else -1


def _result_events(story, name, start_year, lead_of, value_for):
    """Each level's result, reported three days before it is due."""
    quarters = dates.financial_year_quarters(start_year)
    for i, quarter in enumerate(quarters):
        on = results_due_on(quarter.end) - datetime.timedelta(days=3)

        def report(i=i, quarter=quarter):
            sla = _sla(name, start_year)
            lead = lead_of(name)
            for level in sla.service_levels.all():
                for period in level_periods(level.frequency, sla.starts_on, start_year):
                    if period.end != quarter.end:
                        continue
                    figure = value_for(level, i)
                    if figure is None:
                        continue
                    figure, commentary = figure if isinstance(figure, tuple) else (figure, "")
                    services.result_report(
                        service_level=level,
                        period_start=period.start,
                        value=Decimal(figure),
                        by=lead,
                        commentary=commentary,
                    )

        story.on(on, report, hour=12, label=f"SLA results {name} {quarter.end}")


def _explain(sla, lead):
    """Commentary and improvement action on ICT's repeated P1 breach."""
    level = sla.service_levels.get(measure__startswith="P1 incidents")
    q2, q3 = level.results.order_by("period_start")[1:3]
    services.result_update(
        result=q2,
        by=lead,
        value=q2.value,
        commentary="Two network switch failures at the Central Library in August needed "
        "parts from the supplier; both incidents ran to 9 working hours.",
    )
    services.result_update(
        result=q3,
        by=lead,
        value=q3.value,
        commentary="The library management system upgrade in November caused five P1 "
        "incidents in one week; the service desk was short of two analysts.",
        improvement_action="Hold spare network switches for the ten largest libraries and "
        "add a second-line analyst on call for library systems on Saturdays.",
        improvement_owner="ICT Service Desk manager",
        improvement_due_on=datetime.date(2017, 3, 31),
    )


def _explain_safety(sla, lead):
    """Commentary on Health & Safety's one breach."""
    level = sla.service_levels.get(measure__startswith="Incident reports")
    for result in level.results.filter(rating="breached"):
        services.result_update(
            result=result,
            by=lead,
            value=result.value,
            commentary="Two safety advisers were on long-term sick leave in the quarter; "
            "investigations were prioritised by risk and the backlog cleared in January.",
        )


def chapter(story):
    ctx = story.ctx
    leads = {}

    def setup():
        leads.update(_leads(ctx))
        for name, description in SUPPORT_SERVICES:
            support_service_create_or_update(
                name=name, council_wide_description=description, leads=leads[name], by=ctx.admin
            )

    def lead_of(name):
        return leads[name][0]

    story.on(datetime.date(2015, 10, 1), setup, hour=8, label="support services")
    for name, spec in SLAS.items():
        _first_year(story, name, spec, lead_of)
        for start_year in [*story.years[1:], story.current_year + 1]:
            _later_year(story, name, start_year, lead_of)
    story.on(
        datetime.date(2017, 1, 20),
        lambda: (
            _explain(_sla("ICT", YEAR), ctx.support),
            _explain_safety(_sla("Health & Safety", YEAR), ctx.support),
        ),
        hour=16,
        label="ICT breach explained",
    )
