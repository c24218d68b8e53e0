"""The text of an official file as offices have it: a .txt (UTF-8, GBK, GB18030), a Word .docx or a PDF.

Anything else, or anything that cannot be read safely, is refused with :class:`SourceRefused`, which
carries one English line for the command line and one Chinese line for the staff form; nothing here
lets a library's traceback through. The type is told from the file's first bytes, not from its name.

- .docx (python-docx): paragraphs and tables in document order; numbers that Word draws for list
  paragraphs (not part of the text) are written back (``1.``, ``（一）``, ``一、``); a 任务分工 table with
  牵头单位/责任单位 columns becomes numbered tasks followed by ``牵头单位：…`` / ``责任单位：…`` lines, which
  the importer reads as measures. A zip that would inflate far beyond its size (a "docx bomb") is
  refused before anything is inflated.
- PDF (pypdf): the text layer of every page; a PDF without one (a scan) is refused, since reading it
  would need OCR.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

# An official text, even a long regulation with its attachments, is far below these.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 1_000_000  # the longest codes (民法典) are about 100,000 characters
# A .docx is a zip; its XML inflates well, but not a thousandfold.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_PDF_PAGES = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class SourceRefused(ValueError):
    """The file cannot be imported: ``message`` in English, ``message_zh`` for staff."""

    message: str
    message_zh: str

    def __str__(self) -> str:
        return self.message


def read_source_bytes(data: bytes, name: str = "") -> str:
    """The text of a file's bytes; refuses empty, oversized, binary, scanned or unreadable files."""
    label = f"{name}: " if name else ""
    if not data.strip():
        raise SourceRefused(f"{label}the file is empty", "上传的文件是空的。")
    if len(data) > MAX_FILE_BYTES:
        size = len(data) / 1024 / 1024
        raise SourceRefused(
            f"{label}the file is {size:.0f} MB; an official text is at most {MAX_FILE_BYTES // 2**20} MB",
            f"文件过大（{size:.0f} MB），正式文本不能超过 {MAX_FILE_BYTES // 2**20} MB。",
        )
    if data.startswith(b"PK\x03\x04"):
        text = _docx_text(data, label)
    elif data.lstrip().startswith(b"%PDF"):
        text = _pdf_text(data, label)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceRefused(
            f"{label}a Word 97-2003 (.doc) or WPS file; save it as .docx or .txt first",
            "这是旧版 Word（.doc）或 WPS 文件，请另存为 .docx 或 .txt 后再导入。",
        )
    else:
        text = _plain_text(data, label)
    if len(text) > MAX_TEXT_CHARS:
        raise SourceRefused(
            f"{label}the text has {len(text)} characters; an official text has at most {MAX_TEXT_CHARS}",
            "文本过长，超出正式文本的长度上限。",
        )
    if not text.strip():
        raise SourceRefused(f"{label}the file holds no text", "文件中没有可导入的文字。")
    return text


def _plain_text(data: bytes, label: str) -> str:
    binary = SourceRefused(
        f"{label}not a text file (binary data); import a .txt, .docx or PDF file",
        "上传的不是纯文本、Word（.docx）或 PDF 文件。",
    )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise binary from None
    elif b"\x00" in data:
        raise binary
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SourceRefused(
                f"{label}neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 first",
                "无法识别文本编码，请另存为 UTF-8 编码的 .txt 文件。",
            )
    # Random bytes often decode as GB18030; a real text has almost no control characters.
    if len(_CONTROL.findall(text)) > max(3, len(text) // 200):
        raise binary
    return text


# -- .docx ----------------------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _check_zip(data: bytes, label: str) -> zipfile.ZipFile:
    not_docx = SourceRefused(
        f"{label}not a Word .docx document (a damaged file or another kind of zip)",
        "文件不是有效的 Word（.docx）文档。",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_docx from None
    if "word/document.xml" not in {e.filename for e in entries}:
        raise not_docx
    inflated = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if inflated > MAX_UNZIPPED_BYTES or inflated / packed > MAX_ZIP_RATIO:
        raise SourceRefused(
            f"{label}the .docx would inflate to {inflated // 2**20} MB (a zip bomb?); refused",
            "该 .docx 文件解压后异常庞大，已拒绝导入。",
        )
    return archive


def _docx_text(data: bytes, label: str) -> str:
    _check_zip(data, label)
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        numbering = _Numbering(document, qn)
        out: list[str] = []
        for element in document.element.body.iterchildren():
            if element.tag == qn("w:p"):
                paragraph = Paragraph(element, document)
                text = paragraph.text.strip()
                if text:
                    out.append(numbering.label(element) + text)
            elif element.tag == qn("w:tbl"):
                out.extend(_table_lines(Table(element, document)))
    except SourceRefused:
        raise
    except Exception as exc:  # python-docx raises many kinds on damaged files; none may escape
        raise SourceRefused(
            f"{label}could not read the .docx document ({type(exc).__name__})",
            "无法读取该 Word（.docx）文档，文件可能已损坏。",
        ) from None
    return "\n".join(out)


class _Numbering:
    """The numbers Word draws before list paragraphs, from numbering.xml (decimal and Chinese counting)."""

    def __init__(self, document, qn) -> None:  # noqa: ANN001
        self.qn = qn
        self.formats: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for node in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in node.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[lvl.get(qn("w:ilvl"))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "%1.",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )
            abstract[node.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            for ilvl, spec in abstract.get(ref.get(qn("w:val")) if ref is not None else "", {}).items():
                self.formats[(num.get(qn("w:numId")), ilvl)] = spec

    def label(self, paragraph) -> str:  # noqa: ANN001
        qn = self.qn
        num_pr = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if num_pr is None:
            return ""
        num_id = num_pr.find(qn("w:numId"))
        ilvl = num_pr.find(qn("w:ilvl"))
        key = (
            num_id.get(qn("w:val")) if num_id is not None else "",
            ilvl.get(qn("w:val")) if ilvl is not None else "0",
        )
        spec = self.formats.get(key)
        if spec is None or spec[0] == "bullet":
            return ""
        fmt, text, start = spec
        n = self.counters.get(key, start - 1) + 1
        self.counters[key] = n
        # A deeper level restarts when a shallower one moves on.
        for other in [k for k in self.counters if k[0] == key[0] and k[1] > key[1]]:
            del self.counters[other]
        shown = _chinese_number(n) if fmt.startswith(("chinese", "ideograph", "japaneseCounting")) else str(n)
        return re.sub(r"%\d", shown, text)


_TASK_HEADERS = {"lead": ("牵头单位", "牵头部门"), "units": ("责任单位", "责任部门", "配合单位", "配合部门")}


def _table_lines(table) -> list[str]:  # noqa: ANN001
    rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
    if not rows:
        return []
    header = rows[0]
    lead = next((i for i, h in enumerate(header) if h.replace(" ", "") in _TASK_HEADERS["lead"]), None)
    units = next((i for i, h in enumerate(header) if h.replace(" ", "") in _TASK_HEADERS["units"]), None)
    if lead is None and units is None:
        return ["　".join(dict.fromkeys(c for c in row if c)) for row in rows if any(rows)]
    # The task is the widest column other than the number and the unit columns.
    others = [
        i
        for i in range(len(header))
        if i not in (lead, units) and not re.fullmatch(r"序号|编号|\s*", header[i])
    ]
    task = max(others, key=lambda i: sum(len(r[i]) for r in rows[1:] if i < len(r)), default=None)
    out = []
    for n, row in enumerate(rows[1:], 1):
        if task is None or task >= len(row) or not row[task]:
            continue
        out.append(f"{n}.{row[task]}")
        if lead is not None and lead < len(row) and row[lead]:
            out.append(f"牵头单位：{row[lead]}")
        if units is not None and units < len(row) and row[units]:
            out.append(f"责任单位：{row[units]}")
    return out


# -- PDF ------------------------------------------------------------------------------------------


def _pdf_text(data: bytes, label: str) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:  # noqa: BLE001
                raise SourceRefused(
                    f"{label}the PDF is password-protected", "该 PDF 文件设有密码，无法读取。"
                ) from None
        if len(reader.pages) > MAX_PDF_PAGES:
            raise SourceRefused(
                f"{label}the PDF has {len(reader.pages)} pages; at most {MAX_PDF_PAGES} are read",
                f"PDF 页数过多（超过 {MAX_PDF_PAGES} 页）。",
            )
        pages = [(page.extract_text() or "").replace("\x00", "") for page in reader.pages]
    except SourceRefused:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged files; none may escape
        raise SourceRefused(
            f"{label}could not read the PDF ({type(exc).__name__})", "无法读取该 PDF 文件，文件可能已损坏。"
        ) from None
    text = "\n".join(pages)
    if len(re.sub(r"\s", "", text)) < 10 * max(1, len(pages)) // 2:
        raise SourceRefused(
            f"{label}the PDF has no text layer (a scan?); run OCR on it or import the text instead",
            "该 PDF 没有文字层（可能是扫描件），请先进行文字识别（OCR）或导入文本文件。",
        )
    return text
