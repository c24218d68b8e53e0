"""``portal import``: an official plain text → ``content/policies/<slug>.md`` (or an interpretation).

Warnings (fields the text does not give) go to standard error; the file is written whole or not at all.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import click

from portal.cli import main
from portal.config import load_settings

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def read_text_file(path: Path) -> str:
    """The text of ``path`` (.txt in UTF-8/GBK/GB18030, .docx, PDF); exits with one clear line otherwise."""
    from portal.ingest.sourcefile import MAX_FILE_BYTES, SourceRefused, read_source_bytes

    if not path.exists():
        _fail(f"{path}: no such file")
    if not path.is_file():
        _fail(f"{path}: not a file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # refused before reading it into memory
            _fail(
                f"{path}: the file is {size / 2**20:.0f} MB; an official text is at most {MAX_FILE_BYTES // 2**20} MB"
            )
        data = path.read_bytes()
    except OSError as exc:
        _fail(f"{path}: cannot be read ({exc.strerror or exc})")
    try:
        return read_source_bytes(data, str(path))
    except SourceRefused as exc:
        _fail(exc.message)
    return ""


def write_output(text: str, out: str | None, default: Path, force: bool) -> None:
    """Print to standard output (``-``) or write ``out``/``default`` atomically, never over a file unless forced."""
    if out == "-":
        click.echo(text, nl=False)
        return
    target = Path(out) if out else default
    if target.exists() and not force:
        _fail(f"{target} already exists (use --force to overwrite it, or --out to write elsewhere)")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    click.echo(f"wrote {target}", err=True)


def _warn(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"warning: {message}", err=True)


def _document_title(content_dir: Path, slug: str) -> str:
    from portal.services.loader import ContentError, read_source

    path = content_dir / "policies" / f"{slug}.md"
    if not path.is_file():
        _fail(f"unknown document '{slug}' (no {path}); import the document first")
    try:
        return str(read_source(path).meta.get("title") or "")
    except ContentError as exc:
        _fail(f"{path}: {exc.message}")
    return ""


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    metavar="PATH|-",
    help="Write here instead of content/…/<slug>.md; '-' prints to standard output.",
)
@click.option("--slug", help="File name (without .md) to use instead of the one derived from the text.")
@click.option(
    "--interpretation",
    is_flag=True,
    help="The text is an interpretation (问：/答： or prose) of --for SLUG.",
)
@click.option("--for", "for_slug", metavar="SLUG", help="The document an --interpretation interprets.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def import_text(
    file: Path, out: str | None, slug: str | None, interpretation: bool, for_slug: str | None, force: bool
) -> None:
    """Turn an official text (.txt, .docx or PDF, or a copy of a web page) into a content file for review.

    Slugs are <year>-<genre>[-<文号 number>], e.g. 2020-measures-4 for 西政发〔2020〕4号《…若干措施》;
    an interpretation gets <document slug>-qa.
    """
    content_dir = load_settings().content_dir
    for name, value in (("--slug", slug), ("--for", for_slug)):
        if value is not None and not SLUG.match(value):
            _fail(f"{name} '{value}' is not a slug (lower-case ASCII letters, digits and '-')")
    if for_slug and not interpretation:
        _fail("--for only goes with --interpretation")
    text = read_text_file(file)
    if interpretation:
        _import_interpretation(text, file, content_dir, out, slug, for_slug, force)
        return

    from portal.ingest.officialtext import extract

    try:
        doc = extract(text)
    except RecursionError:  # pathological nesting; never a traceback
        _fail(f"{file}: the text could not be parsed")
    if not doc.title and not (doc.structure and doc.structure.blocks):
        _fail(f"{file}: found neither a title nor any text to import")
    _warn([f"{file}: {w}" for w in doc.warnings])
    write_output(doc.to_markdown(), out, content_dir / "policies" / f"{slug or doc.slug()}.md", force)


def _import_interpretation(
    text: str,
    file: Path,
    content_dir: Path,
    out: str | None,
    slug: str | None,
    for_slug: str | None,
    force: bool,
) -> None:
    from portal.ingest.officialtext import front_matter_markdown
    from portal.ingest.qatext import parse_interpretation

    if not for_slug:
        _fail("--interpretation needs --for SLUG (the document it interprets)")
    document_title = _document_title(content_dir, for_slug)
    parsed = parse_interpretation(text)
    if not parsed.form:
        _fail(
            f"{file}: no questions and answers found (expected 问：… 答：… or numbered questions ending in ？), "
            "nor the sections (一、…) or paragraphs of a prose interpretation"
        )
    warnings = [
        f"{file}: question {n} has no answer" for n, item in enumerate(parsed.items, 1) if not item.answer
    ]
    warnings += [f"{file}: {w}" for w in parsed.warnings]
    if parsed.form == "text":
        warnings.append(
            f"{file}: form: no questions and answers; imported as a text interpretation"
            f" ({parsed.sections} sections)"
        )
    if parsed.policy and document_title and _squeeze(parsed.policy) != _squeeze(document_title):
        warnings.append(
            f"{file}: the text interprets 《{parsed.policy}》, but --for {for_slug} is 《{document_title}》"
        )
    if not parsed.interpreted_on:
        warnings.append(f"{file}: interpreted_on: no date found; left empty")
    if not parsed.title:
        parsed.title = f"《{document_title}》政策解读" if document_title else "政策解读"
        warnings.append(f"{file}: title: no title line before the first question; using '{parsed.title}'")
    _warn(warnings)
    markdown = front_matter_markdown(parsed.front_matter(for_slug), parsed.body)
    suffix = "-qa" if parsed.form == "qa" else "-interpretation"
    write_output(markdown, out, content_dir / "interpretations" / f"{slug or for_slug + suffix}.md", force)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(str.maketrans("（）", "()"))
