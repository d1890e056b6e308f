"""Background work for SLAs. Thin: a service call; safe to run twice."""

from celery import shared_task


@shared_task
def bring_due_slas_into_force() -> int:
    """Daily: agreed SLAs whose start date has come are put in force."""
    from .services import slas_bring_due_into_force

    return slas_bring_due_into_force()
