"""Uploaded files: checked by content, never trusted by name.

`validate_upload` refuses a file that is too big, whose content is not one of
the allowed kinds, whose name claims another kind, or that carries anything
that can act when the file is opened. It checks structure, not bytes:

- PDF: pypdf parses every object, those packed in compressed object streams
  included, and every dictionary and array inside them is walked. Refused:
  JavaScript anywhere (actions, the /Names JavaScript tree, form scripts),
  actions that run by themselves (/OpenAction other than "go to a page", any
  /AA additional-actions trigger), actions other than going to a page, a web
  or e-mail link, or a named page action (Launch, SubmitForm, ImportData,
  GoToR/GoToE, renditions...), links to anything but http, https or mailto,
  embedded files and file attachment, rich media, 3D, movie, sound and screen
  annotations, and XFA forms. A PDF that cannot be parsed, or that only opens
  with a password, is refused too.
- DOCX and XLSX: every relationship of every part is read. Refused: macros
  (VBA parts, macro-enabled content types), embedded objects and controls
  (OLE objects, packages, ActiveX), anything outside the file (an external
  target other than a web or e-mail hyperlink: a remote `attachedTemplate`,
  whose UNC path would leak Windows credentials, linked images, external
  workbooks, data connections, sub-documents, frames, alt-chunks), and Word
  fields that fetch or run something (DDE, DDEAUTO, LINK, INCLUDETEXT,
  INCLUDEPICTURE, IMPORT). Zip bombs are found from the zip directory
  before anything is inflated.

Stored files get generated names (`generated_upload_path`); the person's file
name is kept only as cleaned display text. Downloads go out as attachments
with a sandboxing Content-Security-Policy.
"""

import logging
import os
import re
import unicodedata
import uuid
import zipfile
from io import BytesIO
from xml.etree import ElementTree
from xml.parsers import expat

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
# Belt and braces beside the structural check: these names written out in the
# file (not packed in a compressed stream) are refused even where pypdf would
# not find them (an object left out of the cross-reference table).
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles|RichMedia|XFA)\b")
# A PDF name may spell any byte as #xx ("/J#61vaScript" is "/JavaScript").
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_PDF_OBJECTS = 200_000
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


_PDF_ACTIVE_MESSAGE = (
    "The PDF contains JavaScript, actions or embedded files. Save it again as a "
    "plain PDF (for example with Print to PDF) and upload that"
)
_PDF_DAMAGED_MESSAGE = "The PDF is damaged and cannot be opened"
_PDF_LOCKED_MESSAGE = (
    "The PDF is protected with a password or encrypted. Save a copy without the "
    "protection and upload that"
)
# Keys that only carry scripts, triggers or files, wherever they appear.
_PDF_REFUSED_KEYS = {
    "/JS",  # a script, in an action or a form field
    "/JavaScript",  # the document-level script tree under /Names
    "/AA",  # additional actions: run on open, close, page view, focus...
    "/EmbeddedFiles",  # the attachments tree under /Names
    "/EF",  # a file specification that carries the file itself
    "/RichMediaContent",
    "/RichMediaSettings",
    "/XFA",  # XML forms, which run their own scripts
}
_PDF_REFUSED_TYPES = {"/EmbeddedFile", "/RichMediaExecute"}
_PDF_REFUSED_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
# What a click may do: go to a page, open a web or e-mail link, a named page action.
_PDF_CLICK_ACTIONS = {"/GoTo", "/URI", "/Named", "/Thread"}
# What may happen by itself when the document opens: only going to a page.
_PDF_AUTOMATIC_ACTIONS = {"/GoTo"}
_PDF_ACTION_KEYS = {"/A", "/OpenAction", "/Next", "/PA"}
_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
MAX_PDF_OBJECTS = 200_000
# Dictionaries, arrays and values visited in all; a real document needs far fewer.
MAX_PDF_NODES = 5_000_000


class _ActivePdf(Exception):
    pass


def _pdf_action_refused(value, *, automatic: bool, depth: int = 0) -> bool:
    """Whether an action (or a list of actions, or a destination) would run something."""
    from pypdf.generic import ArrayObject, DictionaryObject

    if depth > 50:
        return True
    value = value.get_object()
    if isinstance(value, ArrayObject):
        # A destination ([page /Fit]) or, under /Next, a list of actions.
        return any(_pdf_action_refused(v, automatic=automatic, depth=depth + 1) for v in value)
    if not isinstance(value, DictionaryObject) or "/S" not in value:
        return False  # a page, a named destination: nothing runs
    kind = value["/S"]
    if kind not in (_PDF_AUTOMATIC_ACTIONS if automatic else _PDF_CLICK_ACTIONS):
        return True
    if kind == "/URI":
        uri = value.get("/URI")
        uri = uri.get_object() if uri is not None else ""
        text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
        if not _SAFE_LINK.match(text.strip()):
            return True
    following = value.get("/Next")
    return following is not None and _pdf_action_refused(
        following, automatic=automatic, depth=depth + 1
    )


def _walk_pdf_object(root, budget: list[int]):
    """Raise _ActivePdf if the object, or anything written inside it, can act.

    Indirect references are not followed: every indirect object is walked on
    its own, so each is visited once however often it is referred to.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    stack = [root]
    while stack:
        node = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise _ActivePdf("too complex")
        if isinstance(node, DictionaryObject | StreamObject):
            keys = set(node.keys())
            if keys & _PDF_REFUSED_KEYS:
                raise _ActivePdf(sorted(keys & _PDF_REFUSED_KEYS)[0])
            if node.get("/Type") in _PDF_REFUSED_TYPES:
                raise _ActivePdf(node.get("/Type"))
            if node.get("/Subtype") in _PDF_REFUSED_ANNOTATIONS:
                raise _ActivePdf(node.get("/Subtype"))
            if node.get("/Type") == "/Action" and _pdf_action_refused(node, automatic=False):
                raise _ActivePdf("action")
            for key in keys & _PDF_ACTION_KEYS:
                if _pdf_action_refused(node[key], automatic=key == "/OpenAction"):
                    raise _ActivePdf(key)
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def _objects_in_stream(stream, reader):
    """Every object packed in an object stream, whether or not the xref lists it."""
    from pypdf._utils import read_non_whitespace
    from pypdf.generic import NumberObject, read_object

    count, first = stream.get("/N"), stream.get("/First")
    if not isinstance(count, NumberObject) or not isinstance(first, NumberObject):
        raise ValueError("an object stream without /N or /First")
    if count > MAX_PDF_OBJECTS:
        raise _ActivePdf("too many objects")
    data = BytesIO(stream.get_data())

    def number():
        read_non_whitespace(data)
        data.seek(-1, 1)
        return int(NumberObject.read_from_stream(data))

    offsets = [(number(), number())[1] for _ in range(int(count))]
    for offset in offsets:
        data.seek(int(first) + offset)
        read_non_whitespace(data)
        data.seek(-1, 1)
        yield read_object(data, reader)


def _pdf_active_content(data: bytes) -> str | None:
    """Why the PDF is refused (a message), or None if it cannot act.

    Walks every object of the document: those the cross-reference table lists,
    and every object packed in each compressed object stream.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError
    from pypdf.generic import IndirectObject, StreamObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return _PDF_LOCKED_MESSAGE
            except DependencyError:
                return _PDF_LOCKED_MESSAGE
        budget = [MAX_PDF_NODES]
        seen = 0
        _walk_pdf_object(reader.trailer, budget)
        numbers = [
            (number, generation)
            for generation, entries in reader.xref.items()
            for number in entries
        ] + [(number, 0) for number in reader.xref_objStm]
        for number, generation in numbers:
            seen += 1
            if seen > MAX_PDF_OBJECTS:
                return _PDF_ACTIVE_MESSAGE
            obj = IndirectObject(number, generation, reader).get_object()
            if obj is None:
                continue
            _walk_pdf_object(obj, budget)
            if isinstance(obj, StreamObject) and obj.get("/Type") == "/ObjStm":
                for packed in _objects_in_stream(obj, reader):
                    seen += 1
                    if seen > MAX_PDF_OBJECTS:
                        return _PDF_ACTIVE_MESSAGE
                    _walk_pdf_object(packed, budget)
    except _ActivePdf:
        return _PDF_ACTIVE_MESSAGE
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        return _PDF_DAMAGED_MESSAGE
    return None


def _check_pdf(data: bytes):
    unescaped = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if _PDF_ACTIVE.search(unescaped):
        raise ValidationError(_PDF_ACTIVE_MESSAGE)
    problem = _pdf_active_content(data)
    if problem:
        raise ValidationError(problem)


def _check_zip(uploaded, kind):
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise ValidationError("The file has too many parts to be a normal document")
            total = sum(i.file_size for i in infos)
            compressed = sum(i.compress_size for i in infos) or 1
            # One member can hide a bomb among large stored ones: check each too.
            member_bomb = any(
                i.file_size > 1024 * 1024 and i.file_size / (i.compress_size or 1) > 100
                for i in infos
            )
            # Members that overlap (the non-recursive bomb) claim more bytes than the file has.
            overlapping = compressed > uploaded.size
            if (
                total > MAX_UNCOMPRESSED_BYTES
                or total / compressed > MAX_COMPRESSION_RATIO
                or member_bomb
                or overlapping
            ):
                raise ValidationError(
                    "The file expands to far more than its size, so it cannot be opened safely"
                )
            names = {i.filename.lower() for i in infos}
            if any(n.endswith("vbaproject.bin") for n in names):
                raise ValidationError("The file contains macros. Save it without macros")
            if any(n.startswith("/") or ".." in n.split("/") for n in names):
                raise ValidationError("The file is not a valid document")
            _check_office_parts(zf, kind)
    except zipfile.BadZipFile:
        raise ValidationError("The file is damaged and cannot be opened") from None


_OFFICE_MACROS_MESSAGE = "The file contains macros. Save it without macros"
_OFFICE_EMBEDDED_MESSAGE = (
    "The file contains an embedded object or control (such as an OLE object, another "
    "file or an ActiveX control). Remove it, save the file and try again"
)
_OFFICE_EXTERNAL_MESSAGE = (
    "The file links to something outside it (such as a template, picture, workbook or "
    "data source elsewhere). Remove the link, save the file and try again"
)
_OFFICE_FIELD_MESSAGE = (
    "The document has fields that fetch or run something outside it (DDE, LINK, "
    "INCLUDETEXT, INCLUDEPICTURE or IMPORT). Remove those fields, save it and try again"
)
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Relationship types (the last part of the type URI) that can act or reach out.
_MACRO_RELATIONSHIPS = {"vbaProject", "vbaProjectSignature", "wordVbaData", "keyMapCustomizations"}
_EMBEDDING_RELATIONSHIPS = {
    "oleObject",
    "package",
    "activeXControl",
    "activeXControlBinary",
    "control",
    "aFChunk",  # a chunk of another format (HTML, RTF, MHT) merged in when opened
}
_EXTERNAL_RELATIONSHIPS = {
    "attachedTemplate",
    "subDocument",
    "frame",
    "externalLink",
    "externalLinkPath",
    "xlExternalLinkPath",
    "connections",
    "queryTable",
}
# Content types of parts that are macros or active objects.
_ACTIVE_CONTENT_TYPE = re.compile(r"macroEnabled|vbaProject|vbaData|activeX|oleObject", re.I)
_ACTIVE_MEMBER = re.compile(r"(^|/)(embeddings|activeX)/|vbaProject\.bin$|vbaData\.xml$", re.I)
# Word fields that fetch content or run a program when the document is opened or updated.
_ACTIVE_FIELD = re.compile(r"^\s*(DDE|DDEAUTO|LINK|INCLUDETEXT|INCLUDEPICTURE|IMPORT)\b", re.I)
_WORD_TEXT_PARTS = re.compile(
    r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments|glossary/document)\.xml$"
)
MAX_OFFICE_PART_XML = 5 * 1024 * 1024  # a .rels or [Content_Types].xml file


def _office_xml(zf, info):
    """A small package part, parsed. Python's expat refuses entity-expansion bombs and
    ElementTree never fetches external entities, so a hostile part cannot reach out."""
    if info.file_size > MAX_OFFICE_PART_XML:
        raise ValidationError("The file is not a valid document")
    try:
        return ElementTree.fromstring(zf.read(info))  # noqa: S314 - see the docstring
    except ElementTree.ParseError:
        raise ValidationError("The file is damaged and cannot be opened") from None


def _check_office_parts(zf, kind):
    """Refuse macros, embedded objects and controls, external targets and active fields.

    Reads [Content_Types].xml and every relationship part (`_rels/*.rels`) of the
    package: a part only takes effect through a relationship, so together they
    name everything Word or Excel would load.
    """
    infos = zf.infolist()
    for info in infos:
        if _ACTIVE_MEMBER.search(info.filename):
            if re.search(r"vba", info.filename, re.I):
                raise ValidationError(_OFFICE_MACROS_MESSAGE)
            raise ValidationError(_OFFICE_EMBEDDED_MESSAGE)
    for info in infos:
        if info.filename == "[Content_Types].xml":
            types = _office_xml(zf, info)
            for entry in types.iter():
                content_type = entry.get("ContentType", "")
                if _ACTIVE_CONTENT_TYPE.search(content_type):
                    if re.search(r"macroEnabled|vba", content_type, re.I):
                        raise ValidationError(_OFFICE_MACROS_MESSAGE)
                    raise ValidationError(_OFFICE_EMBEDDED_MESSAGE)
        elif info.filename.endswith(".rels"):
            for relation in _office_xml(zf, info).iter(f"{_RELS_NS}Relationship"):
                _check_office_relationship(relation)
    if kind == "docx":
        for info in infos:
            if _WORD_TEXT_PARTS.match(info.filename):
                _check_word_fields(zf, info)


def _check_office_relationship(relation):
    kind = (relation.get("Type") or "").rstrip("/").rsplit("/", 1)[-1]
    external = (relation.get("TargetMode") or "").lower() == "external"
    target = (relation.get("Target") or "").strip()
    if kind in _MACRO_RELATIONSHIPS:
        raise ValidationError(_OFFICE_MACROS_MESSAGE)
    if kind in _EMBEDDING_RELATIONSHIPS:
        raise ValidationError(_OFFICE_EMBEDDED_MESSAGE)
    if kind in _EXTERNAL_RELATIONSHIPS:
        raise ValidationError(_OFFICE_EXTERNAL_MESSAGE)
    # A hyperlink someone clicks may go to the web or to an e-mail address; nothing
    # else may point outside the file (a linked picture is fetched on opening).
    if external and not (kind == "hyperlink" and _SAFE_LINK.match(target)):
        raise ValidationError(_OFFICE_EXTERNAL_MESSAGE)


def _check_word_fields(zf, info):
    """Read a Word part as a stream and refuse fields that fetch or run something.

    A field's instruction is in `w:fldSimple/@w:instr`, or spread over the
    `w:instrText` runs between a `w:fldChar` "begin" and its "separate" or "end".
    Parsed with expat's callbacks, so no tree is built however long the part.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    w = _WORD_NS.strip("{}") + " "
    field = {"instruction": None, "in_text": False}

    def check(instruction):
        if _ACTIVE_FIELD.match(instruction or ""):
            raise ValidationError(_OFFICE_FIELD_MESSAGE)

    def start(name, attributes):
        if name == w + "fldSimple":
            check(attributes.get(w + "instr"))
        elif name == w + "fldChar":
            if attributes.get(w + "fldCharType") == "begin":
                field["instruction"] = ""
            else:
                check(field["instruction"])
                field["instruction"] = None
        elif name == w + "instrText":
            field["in_text"] = True

    def end(name):
        if name == w + "instrText":
            field["in_text"] = False

    def text(data):
        if field["in_text"] and field["instruction"] is not None:
            field["instruction"] = (field["instruction"] + data)[:10_000]

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with zf.open(info) as part:
            while chunk := part.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError:
        raise ValidationError("The file is damaged and cannot be opened") from None
    check(field["instruction"])


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
    if kind is None or kind not in allowed:
        raise ValidationError(f"The selected file must be a {allowed_labels} file")
    if kind == "csv":
        _check_csv(data)
    if ext != KIND_EXTENSIONS[kind]:
        raise ValidationError(
            f"The file's name does not match its content: it is a {KIND_LABELS[kind]} file, "
            f"so its name must end in {KIND_EXTENSIONS[kind]}"
        )
    if kind == "pdf":
        _check_pdf(data)
    elif kind in ("docx", "xlsx"):
        _check_zip(uploaded, kind)
    uploaded.seek(0)
    return kind


def attachment_response(file_field, display_name: str, kind: str | None = None) -> FileResponse:
    """Serve a stored upload as a download that the browser will not run."""
    response = FileResponse(
        file_field.open("rb"), as_attachment=True, filename=clean_display_name(display_name)
    )
    if kind in KIND_CONTENT_TYPES:
        response["Content-Type"] = KIND_CONTENT_TYPES[kind]
    response["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
