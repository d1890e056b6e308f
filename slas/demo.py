"""Demo data for SLAs; called by `manage.py load_demo` (safe to run twice)."""

from .services import support_service_create_or_update

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


def load(ctx):
    for name, description in SUPPORT_SERVICES:
        leads = [ctx.support] if name == "Health & Safety" else []
        support_service_create_or_update(
            name=name, council_wide_description=description, leads=leads, by=ctx.admin
        )
