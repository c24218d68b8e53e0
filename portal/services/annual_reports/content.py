"""The demo annual reports from ``content/annual_reports/*.yml``, loaded through the same service functions
staff use (actor ``content``): create, enter figures and text, compose, and publish after the same checks
the publishing workflow runs. A report already loaded (agency and year) is left alone: once published, it
is a record, and next year's figures continue from it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import LOCAL_TZ
from portal.ingest.dates import parse_day
from portal.models import Agency, AnnualReport
from portal.models.annual_reports import ENTERED_FIGURES, SECTIONS
from portal.search import refresh_after_commit
from portal.services.annual_reports import workflow
from portal.services.audit import record
from portal.services.loader.registers_yaml import load_register
from portal.services.publishing import add_version

ACTOR = "content"
FIELDS = {"key", "agency", "year", "figures", "table3", "table4", "sections", "status", "published_on"}


class AnnualReportContentError(ValueError):
    pass


def _flat(entry: dict[str, Any], where: str) -> dict[str, Any]:
    """The YAML's nested figures as the flat mapping of the staff form (one parser for both)."""
    figures = entry.get("figures") or {}
    if not isinstance(figures, dict) or set(figures) - set(ENTERED_FIGURES):
        raise AnnualReportContentError(f"{where}: 'figures' must map {', '.join(ENTERED_FIGURES)}")
    flat: dict[str, Any] = {}
    for key, cell in figures.items():
        if not isinstance(cell, dict):
            raise AnnualReportContentError(f"{where}: figure '{key}' needs 'value' and 'source'")
        flat[f"{key}_value"] = cell.get("value")
        flat[f"{key}_source"] = cell.get("source")
    for table, prefix in (("table3", "t3"), ("table4", "t4")):
        spec = entry.get(table) or "records"
        if isinstance(spec, str):
            flat[f"{table}_source"] = spec
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("rows"), dict):
            raise AnnualReportContentError(
                f"{where}: '{table}' is 'records' or {{source: entered, rows: ...}}"
            )
        flat[f"{table}_source"] = spec.get("source", "entered")
        for row, cells in spec["rows"].items():
            for col, n in (cells or {}).items():
                flat[f"{prefix}_{row}_{col}"] = n
    return flat


def _load_entry(sess: Session, entry: dict[str, Any], where: str) -> bool:
    unknown = set(entry) - FIELDS
    if unknown:
        raise AnnualReportContentError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    ref = str(entry.get("agency") or "")
    agency = sess.scalars(select(Agency).where((Agency.slug == ref) | (Agency.name == ref))).first()
    if agency is None:
        raise AnnualReportContentError(f"{where}: unknown agency '{ref}'")
    try:
        year = int(entry.get("year") or 0)
    except (TypeError, ValueError):
        raise AnnualReportContentError(f"{where}: bad year '{entry.get('year')}'") from None
    exists = sess.scalar(
        select(AnnualReport.id).where(AnnualReport.agency_id == agency.id, AnnualReport.year == year)
    )
    if exists is not None:
        return False
    sections = entry.get("sections") or {}
    if not isinstance(sections, dict) or set(sections) - set(SECTIONS):
        raise AnnualReportContentError(f"{where}: 'sections' must map {', '.join(SECTIONS)}")
    try:
        report = workflow.create(sess, ACTOR, agency, year)
        figures = workflow.parse_figures(_flat(entry, where))
        workflow.save(
            sess, ACTOR, report, figures, {**report.sections, **{k: str(v) for k, v in sections.items()}}
        )
        day = parse_day(entry["published_on"]) if entry.get("published_on") else None
        doc = workflow.compose(sess, ACTOR, report, written_on=day)
    except workflow.ReportError as exc:
        raise AnnualReportContentError(f"{where}: {exc.message}") from None
    if str(entry.get("status") or "published") == "published":
        why = workflow.check_publication(sess, doc)
        if why:
            raise AnnualReportContentError(f"{where}: {why}")
        at = datetime.combine(day, time(10), tzinfo=LOCAL_TZ).astimezone(UTC) if day else None
        doc.status = "published"
        doc.published_at = at or datetime.now(UTC)
        record(sess, ACTOR, "document.publish", doc, after={"status": "published"})
        add_version(sess, None, doc, "首次发布")
        workflow.on_published(sess, ACTOR, doc, doc.published_at)
        refresh_after_commit(sess, doc)
    return True


def load_reports(sess: Session, path: Path) -> tuple[list[str], list[str], list[str]]:
    return load_register(sess, path, "reports", "report", "annual_reports", _load_entry)
