"""Uploaded files: checked by content, never trusted by name.

`validate_upload` refuses a file that is too big, whose content is not one of
the allowed kinds, whose name claims another kind, or that carries active
content (PDF JavaScript, launch actions, embedded files; Office macros; zip
bombs, detected from the zip directory without inflating anything). Stored
files get generated names (`generated_upload_path`); the person's file name
is kept only as cleaned display text. Downloads go out as attachments with a
sandboxing Content-Security-Policy.
"""

import os
import re
import unicodedata
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse

KIND_EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "csv": ".csv"}
KIND_LABELS = {"pdf": "PDF", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "csv": "CSV"}
KIND_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
# A name like "report.html.pdf" hides one kind behind another.
_RISKY_INNER_EXTENSIONS = {
    ".exe",
    ".js",
    ".mjs",
    ".html",
    ".htm",
    ".svg",
    ".php",
    ".sh",
    ".bat",
    ".cmd",
    ".com",
    ".scr",
    ".vbs",
    ".jar",
    ".msi",
    ".ps1",
    ".docm",
    ".xlsm",
    ".pdf",
    ".docx",
    ".xlsx",
    ".csv",
    ".zip",
}
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles|RichMedia|XFA)\b")
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 2000


def clean_display_name(name: str, max_length: int = 120) -> str:
    """A file name safe to show and to send in a header: no path, control or bidi characters."""
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(
        ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") and ch != "\x00"
    )
    name = name.strip(" .") or "file"
    stem, ext = os.path.splitext(name)
    return stem[: max_length - len(ext)] + ext


def generated_upload_path(instance, filename: str) -> str:
    """Where an upload is stored: a random name under the model's folder, our extension."""
    ext = os.path.splitext(filename)[1].lower()
    ext = ext if ext in KIND_EXTENSIONS.values() else ""
    return f"uploads/{instance._meta.app_label}/{uuid.uuid4().hex}{ext}"


def _size_limit_message(max_bytes):
    mb = max_bytes / (1024 * 1024)
    return f"The file must be {mb:g} MB or smaller"


def _detect_kind(head: bytes, data_for_zip) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(data_for_zip) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return None
    return "csv"  # confirmed by _check_csv


def _check_pdf(data: bytes):
    if _PDF_ACTIVE.search(data):
        raise ValidationError(
            "The PDF contains JavaScript, actions or embedded files. Save it again as a "
            "plain PDF (for example with Print to PDF) and upload that"
        )


def _check_zip(uploaded):
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise ValidationError("The file has too many parts to be a normal document")
            total = sum(i.file_size for i in infos)
            compressed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
                raise ValidationError(
                    "The file expands to far more than its size, so it cannot be opened safely"
                )
            names = {i.filename.lower() for i in infos}
            if any(n.endswith("vbaproject.bin") for n in names):
                raise ValidationError("The file contains macros. Save it without macros")
            if any(n.startswith("/") or ".." in n.split("/") for n in names):
                raise ValidationError("The file is not a valid document")
    except zipfile.BadZipFile:
        raise ValidationError("The file is damaged and cannot be opened") from None


def _check_csv(data: bytes):
    if b"\x00" in data:
        raise ValidationError("The file is not a CSV file: it contains binary data")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The CSV file must be saved as UTF-8 (CSV UTF-8 in Excel)") from None
    start = text.lstrip()[:200].lower()
    if start.startswith(("<", "%pdf", "mz")) or "<script" in start or "<svg" in start:
        raise ValidationError("The file is not a CSV file")


def validate_upload(uploaded, *, allowed, max_bytes=None) -> str:
    """Check an uploaded file and return its kind ("pdf", "docx", "xlsx", "csv")."""
    max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    allowed_labels = ", ".join(KIND_LABELS[k] for k in sorted(allowed))
    if uploaded is None or uploaded.size == 0:
        raise ValidationError("The selected file is empty")
    if uploaded.size > max_bytes:
        raise ValidationError(_size_limit_message(max_bytes))
    name = clean_display_name(uploaded.name)
    stem, ext = os.path.splitext(name.lower())
    if os.path.splitext(stem)[1] in _RISKY_INNER_EXTENSIONS:
        raise ValidationError("The file name has two extensions. Rename it and try again")
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    kind = _detect_kind(data[:8], uploaded)
    if kind == "csv":
        _check_csv(data)
    if kind is None or kind not in allowed:
        raise ValidationError(f"The selected file must be a {allowed_labels} file")
    if ext != KIND_EXTENSIONS[kind]:
        raise ValidationError(
            f"The file's name does not match its content: it is a {KIND_LABELS[kind]} file, "
            f"so its name must end in {KIND_EXTENSIONS[kind]}"
        )
    if kind == "pdf":
        _check_pdf(data)
    elif kind in ("docx", "xlsx"):
        _check_zip(uploaded)
    uploaded.seek(0)
    return kind


def attachment_response(file_field, display_name: str, kind: str | None = None) -> FileResponse:
    """Serve a stored upload as a download that the browser will not run."""
    response = FileResponse(
        file_field.open("rb"), as_attachment=True, filename=clean_display_name(display_name)
    )
    if kind in KIND_CONTENT_TYPES:
        response["Content-Type"] = KIND_CONTENT_TYPES[kind]
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
