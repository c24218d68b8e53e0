"""Attachments of documents: the type is decided by the file's content, never by its name.

Accepted: PDF, DOCX, XLSX and PNG/JPEG/GIF images, up to ``upload_max_bytes``, at most
``attachment_max_per_item`` per document. Files are stored under ``<instance>/attachments/<sha256>.<kind>``
(outside the web root, named by content so a name can never escape the folder).

Office files are zips that may inflate a thousandfold (a 561 KB DOCX held 199 MB of XML). Their text is
read part by part in chunks, never whole, under hard caps: the bytes inflated in all
(:data:`MAX_INFLATED`), the inflation ratio of each part (:data:`MAX_RATIO`) and the number of entries;
the size a zip *declares* is never trusted. The privacy check runs over the whole text once, at upload,
and its hits are stored with the attachment; only the first :data:`MAX_TEXT_CHARS` characters of text
are kept. Every check, the optional malware scan (``upload_scan_command``) included, runs before the file
is stored, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shlex
import subprocess
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from portal.models import Attachment, Document, User
from portal.services import privacy
from portal.services.audit import record

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
}
IMAGE_KINDS = {"png", "jpeg", "gif"}

MAX_PER_ITEM = 20  # default of ``attachment_max_per_item``
# Bytes inflated from one file's text parts (Office XML, PDF content streams). A 300-page DOCX holds
# about 10 MB of XML; a large XLSX a few tens.
MAX_INFLATED = 100 * 1024 * 1024
# Inflated / compressed size of one part, checked once a part passed RATIO_GRACE bytes: XML compresses
# 5-20 times, a zip bomb hundreds or thousands of times (the 561 KB DOCX above: 355).
MAX_RATIO = 100
RATIO_GRACE = 1024 * 1024
MAX_ZIP_ENTRIES = 5000
MAX_TEXT_CHARS = 200_000  # text kept in the database; the privacy check sees all of it
MAX_HITS_KEPT = 50  # privacy hits listed per attachment (all are counted)
CHUNK = 256 * 1024
SCAN_TIMEOUT_SECONDS = 120


class AttachmentError(ValueError):
    """A refused upload; the message is Chinese."""


TOO_LARGE_INFLATED = (
    "文件解压后的内容超过 {mb} MB 的上限（可能是“压缩炸弹”），已拒绝上传。请将文件拆分后上传，或另存为 PDF。"
)
TOO_COMPRESSED = (
    "文件中的内容压缩比异常（超过 {ratio} 倍，可能是“压缩炸弹”），已拒绝上传。请检查文件或另存为 PDF。"
)
DAMAGED = "文件已损坏或无法读取（{kind} 文件结构有误），已拒绝上传。请用办公软件重新保存后再上传。"
TOO_MANY_ENTRIES = "文件内部包含的部件过多（超过 {n} 个），已拒绝上传。"


def sniff(data: bytes) -> str | None:
    """The kind of file from its first bytes (and, for Office files, the names of the parts inside)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"PK\x03\x04"):
        # Only the central directory is read here; what the parts hold is read by extract_text.
        if data.count(b"PK\x01\x02") > MAX_ZIP_ENTRIES:
            return None
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


@dataclass
class ExtractedText:
    """What an upload's text yields: the text kept, and the privacy check run over all of it."""

    text: str = ""
    hits: list[list[str]] = field(default_factory=list)  # [[kind, masked], ...], the first MAX_HITS_KEPT
    hit_count: int = 0
    _parts: list[str] = field(default_factory=list, repr=False)
    _kept: int = 0

    def add(self, piece: str) -> None:
        for hit in privacy.scan(piece, ""):
            if len(self.hits) < MAX_HITS_KEPT:
                self.hits.append([hit.kind, hit.masked])
            self.hit_count += 1
        if self._kept < MAX_TEXT_CHARS:
            piece = piece[: MAX_TEXT_CHARS - self._kept]
            self._parts.append(piece)
            self._kept += len(piece)

    def done(self) -> ExtractedText:
        self.text = "".join(self._parts)
        self._parts = []
        return self


class _Budget:
    """Bytes that may still be inflated from one file, and the ratio each part must stay under."""

    def __init__(self) -> None:
        self.left = MAX_INFLATED

    def take(self, n: int, part_inflated: int, part_packed: int) -> None:
        self.left -= n
        if self.left < 0:
            raise AttachmentError(TOO_LARGE_INFLATED.format(mb=MAX_INFLATED // 2**20))
        if part_inflated > RATIO_GRACE and part_inflated > MAX_RATIO * max(part_packed, 1):
            raise AttachmentError(TOO_COMPRESSED.format(ratio=MAX_RATIO))


_TAG_BREAK = re.compile(rb"</w:p>|</row>|</si>")
_TAG = re.compile(rb"<[^>]+>")
_SPACES = re.compile(r"[ \t]+")


def _xml_text(xml: bytes) -> str:
    text = _TAG_BREAK.sub(b"\n", xml)
    text = _TAG.sub(b" ", text)
    return _SPACES.sub(" ", text.decode("utf-8", "replace"))


def _xml_pieces(stream: IO[bytes], info: zipfile.ZipInfo, budget: _Budget) -> Iterator[str]:
    """The text of one XML part, read ``CHUNK`` bytes at a time. Each chunk is cut after its last ``>``
    so that no tag (and no UTF-8 sequence) is split; the rest is carried to the next chunk."""
    carry, inflated = b"", 0
    while chunk := stream.read(CHUNK):
        inflated += len(chunk)
        budget.take(len(chunk), inflated, info.compress_size)
        data = carry + chunk
        cut = data.rfind(b">") + 1
        if cut == 0 and len(data) > CHUNK:
            cut = len(data)  # a run of text with no tag at all: cut anyway, the carry must stay small
        carry = data[cut:]
        yield _xml_text(data[:cut])
    if carry:
        yield _xml_text(carry)
    if inflated != info.file_size:
        # zipfile stops at a size declared too small (and then finds the CRC wrong), not at one declared
        # too large: a header that lies either way marks a damaged or forged file.
        raise zipfile.BadZipFile(f"{info.filename}: {inflated} bytes, {info.file_size} declared")


def _office_text(data: bytes, kind: str, out: ExtractedText) -> None:
    if data.count(b"PK\x01\x02") > MAX_ZIP_ENTRIES:
        raise AttachmentError(TOO_MANY_ENTRIES.format(n=MAX_ZIP_ENTRIES))
    budget = _Budget()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = [
                info
                for info in zf.infolist()
                if info.filename.endswith(".xml") and info.filename.startswith(("word/", "xl/"))
            ]
            for info in parts:
                with zf.open(info) as stream:
                    for piece in _xml_pieces(stream, info, budget):
                        out.add(piece)
    except AttachmentError:
        raise
    # A lying size or CRC, a cut stream, an unknown compression method or a password: the file is
    # refused as damaged (zipfile checks what it inflates against the declared size and CRC).
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        raise AttachmentError(DAMAGED.format(kind={"docx": "Word", "xlsx": "Excel"}[kind])) from None


_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_PDF_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)")


def _inflate(raw: bytes, budget: _Budget) -> bytes:
    """A Flate stream inflated ``CHUNK`` bytes at a time, so that a bomb is stopped after a megabyte."""
    inflater = zlib.decompressobj()
    content = bytearray()
    piece = inflater.decompress(raw, CHUNK)
    while True:
        content += piece
        budget.take(len(piece), len(content), len(raw))
        if not inflater.unconsumed_tail:
            return bytes(content)
        piece = inflater.decompress(inflater.unconsumed_tail, CHUNK)


def _pdf_text(data: bytes, out: ExtractedText) -> None:
    """Best-effort text of a PDF (literal strings in Flate or plain content streams), enough to find
    the ASCII digits and addresses the privacy check looks for. Image streams are skipped; the others
    are inflated under the same caps as Office parts."""
    budget = _Budget()
    for m in _PDF_STREAM.finditer(data):
        head = data[max(0, m.start() - 1024) : m.start()]
        if b"/Image" in head[max(0, head.rfind(b"obj")) :]:
            continue  # the stream's dictionary, just before it, says it is a picture: no text
        raw = m.group(1)
        try:
            content = _inflate(raw, budget)
        except zlib.error:
            content = raw  # not Flate: a plain content stream
            budget.take(len(raw), len(raw), len(raw))
        pieces = [s.decode("latin-1") for s in _PDF_STRING.findall(content)]
        if pieces:
            out.add("\n".join(pieces) + "\n")


def extract_text(kind: str, data: bytes) -> ExtractedText:
    """The text of a checked upload and its privacy hits; AttachmentError if it inflates too far or
    is damaged. Images: no OCR here, so an image is never vouched for by the privacy check."""
    out = ExtractedText()
    if kind in {"docx", "xlsx"}:
        _office_text(data, kind, out)
    elif kind == "pdf":
        _pdf_text(data, out)
    return out.done()


def clean_filename(name: str, kind: str) -> str:
    """A display name without paths or control characters, ending in the sniffed kind's extension."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .") or "附件"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    ext = {"jpeg": "jpg"}.get(kind, kind)
    return f"{stem[:120]}.{ext}"


def storage_dir(instance_path: Path) -> Path:
    return instance_path / "attachments"


ANY_KIND_REFUSED = (
    "只接受 PDF、Word（.docx）、Excel（.xlsx）和 PNG/JPEG/GIF 图片；该文件的内容不属于这些类型。"
)


def check_upload(
    data: bytes, max_bytes: int, accept: set[str] | None = None, refused: str = ANY_KIND_REFUSED
) -> str:
    """The sniffed kind of an upload, or AttachmentError (empty, too large, or not of an ``accept`` kind)."""
    if not data:
        raise AttachmentError("上传的文件是空的。")
    if len(data) > max_bytes:
        raise AttachmentError(f"文件超过 {max_bytes // (1024 * 1024)} MB 的上限。")
    kind = sniff(data)
    if kind is None or (accept is not None and kind not in accept):
        raise AttachmentError(refused)
    return kind


def scan_file(path: Path, command: str) -> None:
    """Run the configured malware scanner (``upload_scan_command``, e.g. ``clamdscan --no-summary``) on
    ``path``; any exit status but 0 refuses the upload, and so does a scanner that cannot be run."""
    if not command.strip():
        return
    argv = [*shlex.split(command), str(path)]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=SCAN_TIMEOUT_SECONDS, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("upload scan could not run (%s): %s", argv[0], exc)
        raise AttachmentError("暂时无法完成安全扫描，文件未保存，请稍后重试。") from None
    if done.returncode != 0:
        output = (done.stdout or done.stderr).decode("utf-8", "replace").strip().splitlines()
        log.warning("upload refused by scan (exit %s): %s", done.returncode, output[:1])
        raise AttachmentError("文件未通过安全扫描（可能含有病毒或恶意代码），已拒绝上传。")


def store(data: bytes, kind: str, instance_path: Path, scan_command: str = "") -> str:
    """Write checked bytes under the attachments folder, named by content; returns the sha256.

    Written to a temporary name, scanned there (``scan_command``) and renamed, so a reader never sees half
    a file and a refused file is never stored; the same content uploaded twice is stored once.
    """
    digest = hashlib.sha256(data).hexdigest()
    folder = storage_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.{kind}"
    tmp = folder / f"{digest}.{kind}.{uuid.uuid4().hex}.part"
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())  # on disk before the row that names it commits (and before any receipt)
    try:
        scan_file(tmp, scan_command)
        tmp.replace(target)
        _sync_folder(folder)  # the rename too
    finally:
        tmp.unlink(missing_ok=True)
    return digest


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check but the malware scan (which runs on the stored bytes)."""

    filename: str  # cleaned for display, with the sniffed kind's extension
    kind: str
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def check_file(filename: str, data: bytes, max_bytes: int) -> CheckedFile:
    """The checks of a staff upload without storing anything: size, kind by content, and the inflation
    caps of office files and PDFs (their text is read under the caps and dropped). AttachmentError."""
    kind = check_upload(data, max_bytes)
    extract_text(kind, data)
    return CheckedFile(clean_filename(filename, kind), kind, data)


@dataclass(frozen=True)
class FileStore:
    """Where checked files go: the instance's attachments folder, through the malware scan."""

    instance_path: Path
    scan_command: str = ""

    def put(self, checked: CheckedFile) -> str:
        """Scan and store durably (fsynced); returns the sha256. AttachmentError when the scan refuses."""
        return store(checked.data, checked.kind, self.instance_path, self.scan_command)

    def path(self, sha256: str, kind: str) -> Path:
        return storage_dir(self.instance_path) / f"{sha256}.{kind}"


def add(
    sess: Session,
    user: User,
    doc: Document,
    filename: str,
    data: bytes,
    *,
    instance_path: Path,
    max_bytes: int,
    max_per_item: int = MAX_PER_ITEM,
    scan_command: str = "",
) -> Attachment:
    """Check, read and store an upload, then record it; AttachmentError (Chinese) leaves nothing behind."""
    count = sess.scalar(select(func.count(Attachment.id)).where(Attachment.document_id == doc.id)) or 0
    if count >= max_per_item:
        raise AttachmentError(f"每个文件最多上传 {max_per_item} 个附件，请先删除不需要的附件。")
    kind = check_upload(data, max_bytes)
    extracted = extract_text(kind, data)
    digest = store(data, kind, instance_path, scan_command)
    position = (
        sess.scalar(select(func.max(Attachment.position)).where(Attachment.document_id == doc.id)) or 0
    ) + 1
    att = Attachment(
        document_id=doc.id,
        position=position,
        filename=clean_filename(filename, kind),
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=digest,
        storage_name=f"{digest}.{kind}",
        text=extracted.text,
        privacy_hits=extracted.hits,
        privacy_hit_count=extracted.hit_count,
        uploaded_by=user.id,
    )
    sess.add(att)
    sess.flush()
    record(
        sess,
        user,
        "document.attachment_add",
        doc,
        after={"attachment": att.filename, "sha256": digest, "size": att.size, "kind": kind},
    )
    return att


def privacy_hits(att: Attachment) -> list[privacy.Hit]:
    """The privacy check's hits in an attachment, as found at upload (its text is not read again)."""
    where = f"附件“{att.filename}”"
    if att.privacy_hit_count > len(att.privacy_hits or []):
        where += f"（共 {att.privacy_hit_count} 处，列出前 {len(att.privacy_hits)} 处）"
    return [privacy.Hit(kind, masked, where) for kind, masked in att.privacy_hits or []]


def remove(sess: Session, user: User, att: Attachment) -> None:
    doc = sess.get(Document, att.document_id)
    record(
        sess,
        user,
        "document.attachment_remove",
        doc,
        before={"attachment": att.filename, "sha256": att.sha256},
    )
    sess.delete(att)  # the stored file stays: another attachment or an older version may share it


def get(sess: Session, attachment_id: int) -> Attachment | None:
    return sess.get(Attachment, attachment_id)


def attachments_of(doc: Document) -> list[Attachment]:
    sess = object_session(doc)
    if doc.id is None or sess is None:
        return []
    return list(
        sess.scalars(select(Attachment).where(Attachment.document_id == doc.id).order_by(Attachment.position))
    )


def path_of(instance_path: Path, att: Attachment) -> Path:
    return storage_dir(instance_path) / att.storage_name
