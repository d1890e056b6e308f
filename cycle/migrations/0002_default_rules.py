"""The default deadline rules and reminder offsets of a new installation.

Values are copied here (not imported) so this migration never changes.
"""

from django.db import migrations

RULES = [
    # kind, role, working_days, month, day, year_offset, only_in_year
    ("kpi_return", "service_manager", 10, None, None, 0, None),
    ("management_report", "service_manager", 10, None, None, 0, None),
    ("business_plan", "service_manager", None, 3, 31, 0, None),
    ("specification_draft", "commissioner", None, 1, 6, 0, None),
    ("specification_sign_off", "board_member", None, 3, 1, 0, None),
    ("specification_publish", "commissioner", None, 4, 1, 0, None),
    ("funding_confirmation", "commissioner", None, 12, 31, -1, None),
    ("sla_agreement", "service_manager", None, 4, 1, 0, None),
    ("annual_report", "commissioner", None, 7, 31, 1, None),
    ("cabinet_report", "commissioner", None, 9, 30, 1, None),
    ("approach_review", "commissioner", None, 4, 1, 1, 2016),
]
OFFSETS = [(-14, ""), (-7, ""), (-1, ""), (0, ""), (1, "commissioners"), (7, "board")]


def forwards(apps, schema_editor):
    DeadlineRule = apps.get_model("cycle", "DeadlineRule")
    ReminderOffset = apps.get_model("cycle", "ReminderOffset")
    for kind, role, wd, month, day, offset, only in RULES:
        DeadlineRule.objects.get_or_create(
            kind=kind,
            defaults={
                "responsible_role": role,
                "working_days": wd,
                "month": month,
                "day": day,
                "year_offset": offset,
                "only_in_year": only,
            },
        )
    if not ReminderOffset.objects.exists():
        for days, escalate_to in OFFSETS:
            ReminderOffset.objects.create(days=days, escalate_to=escalate_to)


class Migration(migrations.Migration):
    dependencies = [("cycle", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
