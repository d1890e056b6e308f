"""Uploaded files: checked by content, size to the byte, no active content, safe names."""

import io
import os
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from lra_commissioning import uploads
from lra_commissioning.uploads import (
    attachment_response,
    clean_display_name,
    generated_upload_path,
    validate_upload,
)

ALL = {"pdf", "docx", "xlsx", "csv"}


def plain_pdf(extra_bytes=0):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    if extra_bytes:
        data = data + b"%" + b"x" * (extra_bytes - 2) + b"\n"
    return data


def pdf_with(action_dict=None, *, embedded=False, compress=False):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if action_dict is not None:
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action_dict)
    if embedded:
        writer.add_attachment("payload.exe", b"MZ\x90\x00 not really")
    buffer = io.BytesIO()
    if compress:
        writer.compress_identical_objects()
        for page in writer.pages:
            page.compress_content_streams()
    writer.write(buffer)
    return buffer.getvalue()


def office_zip(kind="docx", members=None, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(main, "<document>Annual report</document>")
        for name, data in (members or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data)


# Size ------------------------------------------------------------------------


@pytest.mark.parametrize(("size_change", "accepted"), [(-1, True), (0, True), (1, False)])
def test_size_cap_at_the_limit_plus_or_minus_one_byte(settings, size_change, accepted):
    data = plain_pdf()
    settings.UPLOAD_MAX_BYTES = len(data) + 100
    padded = plain_pdf(extra_bytes=100 + size_change)
    assert len(padded) == settings.UPLOAD_MAX_BYTES + size_change
    if accepted:
        assert validate_upload(upload("report.pdf", padded), allowed={"pdf"}) == "pdf"
    else:
        with pytest.raises(ValidationError, match="must be .* MB or smaller"):
            validate_upload(upload("report.pdf", padded), allowed={"pdf"})


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="The selected file is empty"):
        validate_upload(upload("report.pdf", b""), allowed={"pdf"})


# Content must match the allowed kinds -------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "allowed"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", {"pdf"}),
        ("report.pdf", b"<html><body>hello</body></html>", ALL),
        ("report.docx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", {"docx"}),
        ("report.docx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", ALL),
        ("report.csv", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", ALL),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', ALL),
        ("logo.pdf", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', ALL),
        ("data.csv", b'\xef\xbb\xbf  <svg onload="alert(1)"/>', {"csv"}),
        ("report.pdf", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ALL),
        ("archive.docx", office_zip(members={"x.txt": "x"})[:0] + b"PK\x03\x04rubbish", ALL),
    ],
)
def test_content_that_is_not_an_allowed_kind_is_refused(name, data, allowed):
    with pytest.raises(ValidationError):
        validate_upload(upload(name, data), allowed=allowed)


def test_html_renamed_pdf_is_refused_with_a_message_naming_the_allowed_kind():
    with pytest.raises(ValidationError, match="must be a PDF file"):
        validate_upload(upload("report.pdf", b"<html>hello</html>"), allowed={"pdf"})


def test_an_executable_renamed_docx_is_refused_with_a_message_naming_the_allowed_kind():
    with pytest.raises(ValidationError, match=r"must be a Word \(DOCX\) file"):
        validate_upload(upload("report.docx", b"MZ\x90\x00\x03\x00"), allowed={"docx"})


def test_a_plain_zip_renamed_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("evil.exe", "MZ")
    with pytest.raises(ValidationError):
        validate_upload(upload("report.docx", buffer.getvalue()), allowed={"docx"})


def test_a_name_that_does_not_match_the_content_is_refused():
    with pytest.raises(ValidationError, match="must end in .pdf"):
        validate_upload(upload("report.docx", plain_pdf()), allowed=ALL)


@pytest.mark.parametrize(
    "name", ["report.html.pdf", "report.exe.docx", "report.svg.pdf", "report.js.csv", "a.pdf.pdf"]
)
def test_double_extensions_are_refused(name):
    data = {"pdf": plain_pdf(), "docx": office_zip(), "csv": b"a,b\n1,2\n"}[name.rsplit(".", 1)[1]]
    with pytest.raises(ValidationError, match="two extensions"):
        validate_upload(upload(name, data), allowed=ALL)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("Annual report 2016-17.pdf", plain_pdf(), "pdf"),
        ("plan.v2.docx", office_zip("docx"), "docx"),
        ("returns.xlsx", office_zip("xlsx"), "xlsx"),
        ("returns.csv", "KPI,Value\nLIB1,£3.50\n".encode(), "csv"),
        ("RETURNS.CSV", b"\xef\xbb\xbfKPI,Value\n", "csv"),
    ],
)
def test_ordinary_documents_are_accepted(name, data, kind):
    assert validate_upload(upload(name, data), allowed=ALL) == kind


# Active PDF content ------------------------------------------------------------------


def _js_action():
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )


def _launch_action():
    return DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf_with(_js_action()), id="javascript"),
        pytest.param(pdf_with(_launch_action()), id="launch"),
        pytest.param(pdf_with(embedded=True), id="embedded-file"),
        pytest.param(pdf_with(_js_action(), compress=True), id="javascript-compressed"),
    ],
)
def test_pdfs_with_javascript_launch_actions_or_embedded_files_are_refused(data):
    with pytest.raises(ValidationError, match="JavaScript, actions or embedded files"):
        validate_upload(upload("report.pdf", data), allowed={"pdf"})


def test_javascript_hidden_by_hex_escapes_in_a_pdf_name_is_refused():
    data = (
        pdf_with(_js_action()).replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    )
    assert b"/JavaScript" not in data
    with pytest.raises(ValidationError, match="JavaScript"):
        validate_upload(upload("report.pdf", data), allowed={"pdf"})


def test_javascript_inside_a_compressed_object_stream_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_js_action())
    buffer = io.BytesIO()
    writer.write(buffer)
    # Re-save with object streams: the action dictionary is inside a Flate stream.
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    rewriter = PdfWriter(clone_from=reader)
    out = io.BytesIO()
    rewriter.write(out)
    compressed = out.getvalue()
    with pytest.raises(ValidationError):
        validate_upload(upload("report.pdf", compressed), allowed={"pdf"})


# Zip bombs -----------------------------------------------------------------------------


def test_a_docx_zip_bomb_is_refused_without_inflating_it(monkeypatch):
    bomb = office_zip("docx", members={"word/media/big.bin": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000

    def no_inflating(*args, **kwargs):
        raise AssertionError("the check inflated a member")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    monkeypatch.setattr(zipfile.ZipFile, "read", no_inflating)
    with pytest.raises(ValidationError, match="expands to far more than its size"):
        validate_upload(upload("plan.docx", bomb), allowed={"docx"})


def test_an_xlsx_that_declares_more_than_100_mb_uncompressed_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    big = office_zip("xlsx", members={"xl/big.xml": os.urandom(2 * 1024 * 1024)})
    with pytest.raises(ValidationError, match="expands"):
        validate_upload(upload("returns.xlsx", big), allowed={"xlsx"})


def test_one_highly_compressed_member_among_stored_ones_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
        # Plenty of incompressible stored bytes hide the ratio of the bomb below.
        zf.writestr("word/media/noise.bin", os.urandom(1_000_000), zipfile.ZIP_STORED)
        zf.writestr("word/media/bomb.bin", b"\0" * (40 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    with pytest.raises(ValidationError, match="expands"):
        validate_upload(upload("plan.docx", buffer.getvalue()), allowed={"docx"})


def test_too_many_members_are_refused():
    members = {f"word/part{i}.xml": "" for i in range(uploads.MAX_ZIP_MEMBERS + 1)}
    with pytest.raises(ValidationError, match="too many parts"):
        validate_upload(upload("plan.docx", office_zip(members=members)), allowed={"docx"})


def test_office_files_with_macros_are_refused():
    with pytest.raises(ValidationError, match="macros"):
        validate_upload(
            upload("plan.docx", office_zip(members={"word/vbaProject.bin": "x"})),
            allowed={"docx"},
        )


@pytest.mark.parametrize("member", ["../../etc/passwd", "/etc/passwd", "word/../../x"])
def test_zip_members_with_paths_outside_the_document_are_refused(member):
    with pytest.raises(ValidationError):
        validate_upload(upload("plan.docx", office_zip(members={member: "x"})), allowed={"docx"})


# Names -------------------------------------------------------------------------------------


HOSTILE_NAMES = [
    "../../../etc/passwd.pdf",
    "..\\..\\windows\\system32\\evil.pdf",
    "/etc/cron.d/evil.pdf",
    "report\x00.exe.pdf",
    "report\r\nSet-Cookie: x=1.pdf",
    "report\x1b[31m.pdf",
    "invoice\u202egpj.pdf",
    "\u2066report\u2069.pdf",
    "report.pdf\u200b",
    "....pdf",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_cleaned_for_display(name):
    shown = clean_display_name(name)
    assert "/" not in shown and "\\" not in shown
    assert not any(ord(ch) < 32 or ch in "\u202e\u2066\u2069\u200b\x7f" for ch in shown)
    assert shown and shown not in (".", "..")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_never_reach_the_disk(settings, name):
    class Document:  # what a model instance offers generated_upload_path
        class _meta:  # noqa: N801
            app_label = "performance"

    path = generated_upload_path(Document(), name)
    stored = default_storage.save(path, ContentFile(plain_pdf()))
    full = os.path.realpath(default_storage.path(stored))
    assert full.startswith(os.path.realpath(settings.MEDIA_ROOT) + os.sep)
    base = os.path.basename(stored)
    assert base.isascii() and base.replace(".pdf", "").isalnum()
    assert not any(part in stored for part in ("..", "\x00", "\u202e", "etc", "windows"))


# Downloads -------------------------------------------------------------------------------


def test_downloads_are_attachments_with_a_sandboxing_csp():
    stored = default_storage.save("uploads/test/file.pdf", ContentFile(plain_pdf()))

    class Stored:
        def open(self, mode="rb"):
            return default_storage.open(stored, mode)

    field = Stored()
    response = attachment_response(field, "invoice\u202egpj.exe\r\n.pdf", kind="pdf")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\u202e" not in disposition and "\r" not in disposition and "\n" not in disposition
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'none'"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    response.file_to_stream.close()  # not response.close(): that signals request_finished


# The hostile corpus: structure, not bytes ------------------------------------------------

from tests.lra_commissioning import hostile_documents as corpus  # noqa: E402


@pytest.mark.parametrize("packing", ["plain", "object-streams"])
@pytest.mark.parametrize("kind", sorted(corpus.HOSTILE_PDFS))
def test_pdfs_that_can_act_are_refused_however_they_are_packed(kind, packing):
    data = corpus.hostile_pdf(kind)
    if packing == "object-streams":
        data = corpus.in_object_streams(data)
        # Only a parser that opens the compressed object stream can see it.
        assert b"/JavaScript" not in data and b"/Launch" not in data and b"/AA" not in data
        assert corpus.page_count(data) == 2
    with pytest.raises(ValidationError, match="JavaScript, actions or embedded files"):
        validate_upload(upload("report.pdf", data), allowed={"pdf"})


@pytest.mark.parametrize("packing", ["plain", "object-streams"])
@pytest.mark.parametrize("kind", sorted(corpus.ORDINARY_PDFS))
def test_ordinary_pdfs_with_links_and_contents_are_accepted(kind, packing):
    data = corpus.ordinary_pdf(kind)
    if packing == "object-streams":
        data = corpus.in_object_streams(data)
    assert validate_upload(upload("report.pdf", data), allowed={"pdf"}) == "pdf"


def test_a_tagged_pdf_with_links_made_by_weasyprint_is_accepted():
    from weasyprint import HTML

    data = HTML(
        string='<html lang="en"><title>Report</title><h1>Libraries</h1>'
        '<p><a href="https://www.kent.gov.uk/">Kent</a> <a href="#end">end</a></p>'
        '<p id="end">The end</p></html>'
    ).write_pdf(pdf_variant="pdf/ua-1")
    assert validate_upload(upload("report.pdf", data), allowed={"pdf"}) == "pdf"
    packed = corpus.in_object_streams(data)
    assert validate_upload(upload("report.pdf", packed), allowed={"pdf"}) == "pdf"


def test_a_pdf_that_opens_only_with_a_password_is_refused():
    with pytest.raises(ValidationError, match="protected with a password"):
        validate_upload(upload("report.pdf", corpus.password_protected_pdf()), allowed={"pdf"})


def test_a_pdf_with_only_an_owner_password_is_read_and_accepted():
    data = corpus.password_protected_pdf(user_password="")
    assert validate_upload(upload("report.pdf", data), allowed={"pdf"}) == "pdf"


def test_a_damaged_pdf_is_refused():
    data = corpus.in_object_streams(corpus.ordinary_pdf("blank"))
    broken = data.replace(b"/FlateDecode /Length", b"/FlateDecode /Lxngth", 1)
    broken = broken[:200] + b"\x00" * 200 + broken[400:]
    with pytest.raises(ValidationError, match="damaged"):
        validate_upload(upload("report.pdf", broken), allowed={"pdf"})


@pytest.mark.parametrize("kind", sorted(corpus.HOSTILE_DOCX))
def test_word_documents_that_can_act_or_reach_out_are_refused(kind):
    with pytest.raises(ValidationError, match="macros|embedded object|links to something|fields"):
        validate_upload(upload("plan.docx", corpus.HOSTILE_DOCX[kind]()), allowed={"docx"})


def test_a_remote_template_is_refused_with_a_message_that_says_what_to_do():
    data = corpus.HOSTILE_DOCX["unc-attached-template"]()
    with pytest.raises(ValidationError, match="links to something outside it") as refused:
        validate_upload(upload("plan.docx", data), allowed={"docx"})
    assert "Remove the link, save the file and try again" in refused.value.messages[0]


@pytest.mark.parametrize("kind", sorted(corpus.ORDINARY_DOCX))
def test_ordinary_word_documents_with_links_pictures_and_fields_are_accepted(kind):
    data = corpus.ORDINARY_DOCX[kind]()
    assert validate_upload(upload("plan.docx", data), allowed={"docx"}) == "docx"


@pytest.mark.parametrize("kind", sorted(corpus.HOSTILE_XLSX))
def test_workbooks_that_can_act_or_reach_out_are_refused(kind):
    with pytest.raises(ValidationError, match="macros|embedded object|links to something"):
        validate_upload(upload("returns.xlsx", corpus.HOSTILE_XLSX[kind]()), allowed={"xlsx"})


def test_a_workbook_saved_by_openpyxl_with_a_web_link_is_accepted():
    data = corpus.openpyxl_workbook_with_a_link()
    assert validate_upload(upload("returns.xlsx", data), allowed={"xlsx"}) == "xlsx"
