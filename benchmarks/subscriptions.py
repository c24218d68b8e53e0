"""``python -m benchmarks.subscriptions``: how long matching change events to subscriptions takes.

Builds a SQLite database in a temporary folder with S active subscriptions (a mix of every kind: all,
agency, topic, document, saved search) and E new-document events, then times ``matching.match_pending``
(which also queues the immediate messages) and the rendering of one alert. Options: ``--subscriptions``,
``--events``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscriptions", type=int, default=5000)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()

    from portal import db
    from portal.app import create_app
    from portal.db import Base
    from portal.models import Agency, Document, DocumentAgency, Subscriber, Subscription, SubscriptionEvent
    from portal.models import SubscriptionMessage as Message
    from portal.models.documents import Topic
    from portal.services.subscriptions import delivery, matching

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"instance_path": Path(tmp), "search_index": Path(tmp) / "idx", "secret_key": "bench"}
        )
        with app.app_context():
            Base.metadata.create_all(app.extensions["engine"])
            sess = db.session()
            agencies = [Agency(slug=f"a{n}", name=f"机关{n}") for n in range(20)]
            topics = [Topic(name=f"主题{n}") for n in range(20)]
            sess.add_all(agencies + topics)
            sess.flush()
            docs = []
            for n in range(args.events):
                doc = Document(
                    slug=f"d{n}",
                    title=f"关于第{n}项停车管理工作的通知",
                    status="published",
                    body_html=f"<p>第{n}条 规范街巷停车。</p>",
                    topics=[topics[n % 20]],
                )
                doc.issuers = [DocumentAgency(agency=agencies[n % 20], agency_id=agencies[n % 20].id)]
                docs.append(doc)
            sess.add_all(docs)
            sess.flush()
            kinds = [
                ("all", ""),
                ("agency", "a{m}"),
                ("topic", "主题{m}"),
                ("document", "d{m}"),
                ("search", "q=停车"),
            ]
            for n in range(args.subscriptions):
                subscriber = Subscriber(
                    email=f"s{n}@example.com", email_hash=f"h{n}", manage_token_hash=f"m{n}"
                )
                sess.add(subscriber)
                sess.flush()
                kind, target = kinds[n % len(kinds)]
                sess.add(
                    Subscription(
                        subscriber_id=subscriber.id,
                        kind=kind,
                        target=target.format(m=n % 20),
                        label=kind,
                        frequency="immediate" if n % 2 else "daily",
                        state="active",
                        unsubscribe_token_hash=f"u{n}",
                    )
                )
            for doc in docs:
                payload = {
                    "title": doc.title,
                    "path": f"/policies/{doc.slug}/",
                    "document_slug": doc.slug,
                    "agencies": [doc.agencies[0].slug],
                    "topics": [doc.topics[0].name],
                }
                sess.add(SubscriptionEvent(kind="new", item_type="document", item_id=doc.id, payload=payload))
            sess.commit()

            started = time.perf_counter()
            queued = matching.match_pending(sess)
            elapsed = time.perf_counter() - started
            message = sess.get(Message, queued[0])
            settings = app.extensions["settings"]
            started = time.perf_counter()
            for _ in range(100):
                delivery.render(sess, settings, message)
            render_ms = (time.perf_counter() - started) * 10
            matches = sess.scalar(select(func.count()).select_from(Subscription))
    print(
        f"{args.events} events x {matches} subscriptions (SQLite): matched in {elapsed:.2f} s "
        f"({elapsed / args.events * 1000:.1f} ms per event), {len(queued)} immediate messages queued"
    )
    print(f"rendering one alert: {render_ms:.2f} ms")


if __name__ == "__main__":
    main()
