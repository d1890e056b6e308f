"""The demo's PDFs, rendered in a second process while the story goes on, are the
same real PDFs the services make (lra_commissioning/demo_pdfs.py)."""

import subprocess

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from lra_commissioning import demo_pdfs
from lra_commissioning.pdf import render_pdf


def _text(path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_pdfs_rendered_aside_are_real_pdfs_once_the_story_is_told(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with demo_pdfs.rendered_aside():
        for n in (1, 2):
            data = render_pdf(f"<h1>Annual report {n}</h1>")
            assert data.startswith(demo_pdfs.STAND_IN)  # the story goes on at once
            default_storage.save(f"reports/report-{n}.pdf", ContentFile(data))
        # One saved over again: the file holds the last one's PDF.
        again = render_pdf("<h1>Annual report 2, produced again</h1>")
        default_storage.delete("reports/report-2.pdf")
        default_storage.save("reports/report-2.pdf", ContentFile(again))
    one, two = tmp_path / "reports" / "report-1.pdf", tmp_path / "reports" / "report-2.pdf"
    assert one.read_bytes().startswith(b"%PDF-1.")
    assert "Annual report 1" in _text(one)
    assert "produced again" in _text(two)


def test_pdfs_still_waiting_when_the_story_ends_are_shared_and_each_is_its_own(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with demo_pdfs.rendered_aside():
        for n in range(8):
            default_storage.save(
                f"reports/report-{n}.pdf", ContentFile(render_pdf(f"<h1>Cabinet report {n}</h1>"))
            )
    for n in range(8):
        assert f"Cabinet report {n}" in _text(tmp_path / "reports" / f"report-{n}.pdf")


def test_outside_the_demo_pdfs_are_rendered_in_place():
    assert render_pdf("<p>Now</p>").startswith(b"%PDF-1.")
