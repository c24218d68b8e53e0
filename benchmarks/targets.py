"""Targets dashboard: how long computing a year's targets and rendering its pages takes at scale.

Run: ``python -m benchmarks.targets [--documents N] [--database-url URL]``. Builds the synthetic corpus
(N documents over 2018-2023, every fifth with a Q&A interpretation), adds new-media pushes for every third
item, a consultation for every other normative document and 40 meetings a year, then times the year
report, the dashboard page, a drill-down page and a CSV export. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks.export import make_site
from benchmarks.seeds import find_seeds


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"p50 {statistics.median(samples) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (n={len(samples)})"


def add_activity(sess) -> None:  # noqa: ANN001
    """Pushes, consultations and meetings on top of the synthetic corpus."""
    from sqlalchemy import select

    from portal.models import Agency, Channel, Consultation, Document, Interpretation, Meeting, Push

    channel = Channel(name="微信公众号", kind="webhook", new_media=True, config={})
    sess.add(channel)
    sess.flush()
    for n, doc_id in enumerate(sess.scalars(select(Document.id))):
        if n % 3 == 0:
            sess.add(Push(item_type="document", item_id=doc_id, channel_id=channel.id, status="delivered"))
    for n, interp_id in enumerate(sess.scalars(select(Interpretation.id))):
        if n % 3 == 0:
            sess.add(
                Push(item_type="interpretation", item_id=interp_id, channel_id=channel.id, status="delivered")
            )
    agencies = list(sess.scalars(select(Agency)))
    for n, doc in enumerate(sess.scalars(select(Document).where(Document.normative.is_(True)))):
        if n % 2 == 0:
            opens = doc.written_on - timedelta(days=30)
            sess.add(
                Consultation(
                    slug=f"c-{doc.id}",
                    title=f"征集：{doc.title}",
                    agency_id=agencies[n % len(agencies)].id,
                    opens_on=opens,
                    closes_on=opens + timedelta(days=20),
                    status="reported",
                    final_document_id=doc.id,
                )
            )
    for year in range(2018, 2024):
        for k in range(40):
            sess.add(
                Meeting(
                    slug=f"m-{year}-{k}",
                    title=f"会议{year}-{k}",
                    agency_id=agencies[k % len(agencies)].id,
                    held_on=date(year, 1 + k % 12, 1 + k % 28),
                    invited=["public"] if k % 3 else [],
                    is_open=bool(k % 3),
                )
            )
    sess.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    args = parser.parse_args()

    from portal import db
    from portal.models import Target
    from portal.services import targets as svc

    with tempfile.TemporaryDirectory(prefix="bench-targets-") as tmp:
        overrides: dict = {"page_cache_seconds": 0}
        if args.database_url:
            overrides["database_url"] = args.database_url
        started = time.perf_counter()
        app = make_site(Path(tmp), find_seeds(), args.documents, **overrides)
        with app.app_context():
            add_activity(db.session)
            for position, key in enumerate(svc.METRICS):
                db.session.add(
                    Target(
                        year=2020,
                        key=key,
                        goal=20 if "growth" in key else 30,
                        position=position,
                        unit="points" if "growth" in key else "",
                    )
                )
            db.session.commit()
            per_year = len(svc.target_result(db.session, 2020, "qa_rate").population.items)
            print(
                f"corpus: {args.documents} documents ({per_year} first published in 2020), "
                f"built in {time.perf_counter() - started:.0f} s on {app.extensions['engine'].dialect.name}"
            )
            report = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                svc.year_report(db.session, 2020)
                report.append(time.perf_counter() - t)
                db.session.expire_all()
            print(f"year_report(2020), all five targets: {_ms(report)}")
        client = app.test_client()
        for label, url in [
            ("dashboard /targets/2020/", "/targets/2020/"),
            ("drill-down /targets/2020/new_media_push_rate/", "/targets/2020/new_media_push_rate/"),
            ("export holding_back.csv", "/targets/2020/qa_rate/holding_back.csv"),
        ]:
            samples, size = [], 0
            for _ in range(args.rounds):
                t = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - t)
                size = len(response.data)
            print(f"{label}: {_ms(samples)}, {size // 1024} KB")
        app.extensions["engine"].dispose()


if __name__ == "__main__":
    main()
