"""Attachments of documents: the type is decided by the file's content, never by its name.

Accepted: PDF, DOCX, XLSX and PNG/JPEG/GIF images, up to ``upload_max_bytes``. Files are stored under
``<instance>/attachments/<sha256>.<kind>`` (outside the web root, named by content so a name can never
escape the folder), and their text is extracted for the privacy check.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from portal.models import Attachment, Document, User
from portal.services.audit import record

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
}
IMAGE_KINDS = {"png", "jpeg", "gif"}
MAX_UNZIPPED = 200 * 1024 * 1024  # a DOCX/XLSX that inflates beyond this is refused (zip bomb)


class AttachmentError(ValueError):
    """A refused upload; the message is Chinese."""


def sniff(data: bytes) -> str | None:
    """The kind of file from its first bytes (and, for Office files, the parts inside the zip)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if sum(info.file_size for info in zf.infolist()) > MAX_UNZIPPED:
                    return None
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def _xml_text(xml: bytes) -> str:
    text = re.sub(rb"</w:p>|</row>|</si>", b"\n", xml)
    text = re.sub(rb"<[^>]+>", b" ", text)
    return re.sub(r"[ \t]+", " ", text.decode("utf-8", "replace"))


def _pdf_text(data: bytes) -> str:
    """Best-effort text of a PDF (literal strings in Flate or plain content streams), enough to find
    the ASCII digits and addresses the privacy check looks for."""
    chunks = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        raw = m.group(1)
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        chunks += [s.decode("latin-1") for s in re.findall(rb"\(((?:\\.|[^\\)])*)\)", raw)]
    return "\n".join(chunks)


def extract_text(kind: str, data: bytes) -> str:
    if kind in {"docx", "xlsx"}:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = [n for n in zf.namelist() if n.endswith(".xml") and n.startswith(("word/", "xl/"))]
            return "\n".join(_xml_text(zf.read(n)) for n in parts)
    if kind == "pdf":
        return _pdf_text(data)
    return ""  # images: no OCR here, so an image is never vouched for by the privacy check


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


def store(data: bytes, kind: str, instance_path: Path) -> str:
    """Write checked bytes under the attachments folder, named by content; returns the sha256.

    Written to a temporary name and renamed, so a reader never sees half a file; the same content
    uploaded twice is stored once.
    """
    digest = hashlib.sha256(data).hexdigest()
    folder = storage_dir(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.{kind}"
    if not target.exists():
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    return digest


def add(
    sess: Session,
    user: User,
    doc: Document,
    filename: str,
    data: bytes,
    *,
    instance_path: Path,
    max_bytes: int,
) -> Attachment:
    kind = check_upload(data, max_bytes)
    digest = store(data, kind, instance_path)
    target = storage_dir(instance_path) / f"{digest}.{kind}"
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
        storage_name=target.name,
        text=extract_text(kind, data),
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


def attachments_of(doc: Document) -> list[Attachment]:
    sess = object_session(doc)
    if doc.id is None or sess is None:
        return []
    return list(
        sess.scalars(select(Attachment).where(Attachment.document_id == doc.id).order_by(Attachment.position))
    )


def path_of(instance_path: Path, att: Attachment) -> Path:
    return storage_dir(instance_path) / att.storage_name
