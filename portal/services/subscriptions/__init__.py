"""订阅: citizens follow the portal by e-mail, with double opt-in and change-aware messages.

Modules, in the order a subscription meets them: ``tokens`` (the links' tokens: derived from the app
secret, only their hashes stored), ``signup`` (subscribe, confirm, unsubscribe, manage, delete; the
throttle), ``events`` (the outbox: what publishing, editing and the consultation report write in their own
transaction), ``matching`` (events to subscriptions), ``delivery`` (messages through the push worker, with
retries, bounces and digests) and ``pages`` (what the subscription pages show).
"""
