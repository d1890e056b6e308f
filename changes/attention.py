"""What this app asks of a signed-in person: see lra_commissioning.attention."""


def items_for(user):
    return []
