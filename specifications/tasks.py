"""Background work for specifications. Thin: ids in, a service or render out.

Both are safe to run twice.
"""

from celery import shared_task


@shared_task
def erase_expired_comment_personal_data() -> int:
    """Daily: erase commenters' names and e-mails past the retention period."""
    from .services import comments_erase_expired_personal_data

    return comments_erase_expired_personal_data()


@shared_task
def render_version_pdf(version_id: int) -> None:
    """Render and keep a published version's PDF (a no-op when it is already kept)."""
    from .pdf import stored_pdf
    from .selectors import version_with_content

    version = version_with_content(version_id)
    if version is not None and version.is_published:
        stored_pdf(version)
