"""Background work of the board: thin, taking ids, calling services. Safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="board.render_papers")
def render_papers(meeting_id: int) -> bool:
    return services.papers_render(meeting_id=meeting_id)


@shared_task(name="board.send_papers_notice")
def send_papers_notice(meeting_id: int) -> int:
    return services.papers_notice_send(meeting_id=meeting_id)


@shared_task(name="board.queue_again")
def queue_again() -> int:
    """Every half hour: papers whose rendering was lost with its worker, and notices
    that could not be queued (the database is the outbox)."""
    work = services.work_to_queue_again()
    for meeting_id in work["papers"]:
        if not render_papers.enqueue(meeting_id):
            return 0  # the broker is down: the next run queues them again
    for meeting_id in work["notices"]:
        if not send_papers_notice.enqueue(meeting_id):
            return 0
    return len(work["papers"]) + len(work["notices"])
