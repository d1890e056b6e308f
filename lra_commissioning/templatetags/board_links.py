"""{% on_board_agenda "change_request" change.pk as meeting %}: the board meeting whose
agenda a record waits on (a `lra_commissioning.meetings.MeetingLink`), or None."""

from django import template

from lra_commissioning import meetings

register = template.Library()


@register.simple_tag
def on_board_agenda(kind, pk):
    return meetings.link_for_record(f"{kind}:{pk}")
