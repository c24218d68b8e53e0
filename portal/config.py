"""Typed settings, read once from ``PORTAL_*`` environment variables.

Every setting has an embedded default so that a fresh checkout runs on SQLite and Whoosh with no
configuration at all. Tests and tools pass ``overrides`` instead of mutating the environment.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[,;\s]+", value) if part.strip())


@dataclass(frozen=True)
class Settings:
    instance_path: Path = field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = ""  # empty: SQLite file inside the instance folder
    secret_key: str = ""  # empty: generated once and kept in the instance folder
    search_backend: str = "whoosh"  # whoosh | postgres
    search_index: Path = field(default_factory=lambda: Path.cwd() / "search_index")
    search_cache_mb: int = 0  # per process: Whoosh postings kept in memory; 0 sizes it from the index
    content_dir: Path = field(default_factory=lambda: Path.cwd() / "content")
    redis_url: str = ""
    # Absolute URL of the dynamic app, used by statically exported pages for search and forms.
    base_url: str = "http://127.0.0.1:8000"
    site_name: str = "北京市西城区人民政府"
    site_id_code: str = "1101020001"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_from: str = "noreply@bjxch.gov.cn"
    # The office's published addresses (e.g. the FOI mailbox): not personal data for the privacy check.
    public_emails: tuple[str, ...] = ()
    https: bool = False
    session_idle_minutes: int = 30
    session_max_hours: int = 12  # a staff session ends this long after sign-in, however busy
    upload_max_bytes: int = 20 * 1024 * 1024
    attachment_max_per_item: int = 20
    # A malware scanner run on every upload before it is stored, given the file's path as its last
    # argument (e.g. "clamdscan --no-summary --fdpass"); any exit status but 0 refuses the upload.
    upload_scan_command: str = ""
    page_cache_seconds: int = 60  # rendered-HTML cache for anonymous GETs; 0 turns it off
    # Comments per sender (keyed hash of the client address), counted from the comment rows themselves,
    # so the throttle holds across workers and processes with no extra service. "5 per minute;30 per hour"
    # syntax; "off" disables it.
    comment_rate_limit: str = "5 per minute;30 per hour"
    # Coarse request limits per client address (Flask-Limiter: Redis when redis_url is set, else per
    # process); "off" disables them (benchmarks).
    form_request_limit: str = "60 per minute"
    receipt_lookup_rate_limit: str = "30 per minute"
    # Proxies in front of the app whose X-Forwarded-For / X-Forwarded-Proto are believed (0: none, the
    # client address is the connection's; deploy/gunicorn.conf.py sets 1 for the nginx in front).
    trusted_proxies: int = 0
    # Site identity (NORMS 47): shown in the footer only when set; the meta tags use the site ones.
    sponsor: str = ""  # 主办单位; empty: the site name
    organizer: str = ""  # 承办单位
    contact: str = ""  # 联系方式 (phone, address) as printed in the footer
    icp_no: str = ""  # ICP 备案号, e.g. 京ICP备05060933号
    police_no: str = ""  # 公安机关备案号, e.g. 京公网安备 11010202007587号
    party_gov_mark_url: str = ""  # 党政机关网站标识: link of the registration (the mark shows when set)
    # The library's compliance rules (portal/services/compliance/).
    publish_deadline_wd: int = 20  # NORMS 1: published within 20 working days of 成文日期 or change
    interpretation_deadline_wd: int = 3  # NORMS 12: an interpretation at most 3 working days after its policy
    # NORMS 9: the 三统一 registration number of a 规范性文件; the named group "year" is its year.
    registration_no_pattern: str = r"^\S{1,16}规〔(?P<year>\d{4})〕\d{1,4}号$"
    # NORMS 5: 索引号 = <org or credit code>/<year>-<serial>; the code given to new numbers.
    index_no_code: str = "000019005"
    index_no_pattern: str = r"^(?P<code>[0-9A-Z]{9,18})/(?P<year>\d{4})-(?P<serial>\d{5})$"
    # NORMS 44/25: how long each kind of column may go without an update ("14d", "6m").
    column_intervals: tuple[str, ...] = ("news=14d", "notices=14d", "policies=6m", "replies=2m")
    # Enquiries (政务咨询, 我为政府网站找错): deadlines in working days on the shared holiday calendar, and
    # the inspection rules in months. The defaults are the national rules (NORMS 24 zombie board, 25
    # publication cadence, 27 error reports within 3 working days) and the internal alerts NORMS advises
    # (5 working days for a 咨询, 10 for a 建议); portal.services.enquiries.rules reads them.
    enquiry_accept_days: int = 2
    enquiry_consult_answer_days: int = 5
    enquiry_suggest_answer_days: int = 10
    enquiry_error_days: int = 3
    enquiry_extension_days: int = 5
    enquiry_due_soon_days: int = 2
    enquiry_zombie_months: int = 3
    enquiry_cadence_months: int = 2
    testing: bool = False

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_path / 'portal.sqlite3'}"

    @property
    def site_domain(self) -> str:
        """The host name of ``base_url`` (the SiteDomain meta tag holds a domain, not a URL)."""
        return urlsplit(self.base_url).hostname or ""

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")


_ENV: dict[str, tuple[str, Callable[[str], Any]]] = {
    "instance_path": ("PORTAL_INSTANCE_PATH", Path),
    "database_url": ("PORTAL_DATABASE_URL", str),
    "secret_key": ("PORTAL_SECRET_KEY", str),
    "search_backend": ("PORTAL_SEARCH_BACKEND", str),
    "search_index": ("PORTAL_SEARCH_INDEX", Path),
    "search_cache_mb": ("PORTAL_SEARCH_CACHE_MB", int),
    "content_dir": ("PORTAL_CONTENT_DIR", Path),
    "redis_url": ("PORTAL_REDIS_URL", str),
    "base_url": ("PORTAL_BASE_URL", str),
    "site_name": ("PORTAL_SITE_NAME", str),
    "site_id_code": ("PORTAL_SITE_ID_CODE", str),
    "smtp_host": ("PORTAL_SMTP_HOST", str),
    "smtp_port": ("PORTAL_SMTP_PORT", int),
    "mail_from": ("PORTAL_MAIL_FROM", str),
    "public_emails": ("PORTAL_PUBLIC_EMAILS", _list),
    "https": ("PORTAL_HTTPS", _bool),
    "session_idle_minutes": ("PORTAL_SESSION_IDLE_MINUTES", int),
    "session_max_hours": ("PORTAL_SESSION_MAX_HOURS", int),
    "upload_max_bytes": ("PORTAL_UPLOAD_MAX_BYTES", int),
    "attachment_max_per_item": ("PORTAL_ATTACHMENT_MAX_PER_ITEM", int),
    "upload_scan_command": ("PORTAL_UPLOAD_SCAN_COMMAND", str),
    "page_cache_seconds": ("PORTAL_PAGE_CACHE_SECONDS", int),
    "comment_rate_limit": ("PORTAL_COMMENT_RATE_LIMIT", str),
    "form_request_limit": ("PORTAL_FORM_REQUEST_LIMIT", str),
    "receipt_lookup_rate_limit": ("PORTAL_RECEIPT_LOOKUP_RATE_LIMIT", str),
    "trusted_proxies": ("PORTAL_TRUSTED_PROXIES", int),
    "sponsor": ("PORTAL_SPONSOR", str),
    "organizer": ("PORTAL_ORGANIZER", str),
    "contact": ("PORTAL_CONTACT", str),
    "icp_no": ("PORTAL_ICP_NO", str),
    "police_no": ("PORTAL_POLICE_NO", str),
    "party_gov_mark_url": ("PORTAL_PARTY_GOV_MARK_URL", str),
    "publish_deadline_wd": ("PORTAL_PUBLISH_DEADLINE_WD", int),
    "interpretation_deadline_wd": ("PORTAL_INTERPRETATION_DEADLINE_WD", int),
    "registration_no_pattern": ("PORTAL_REGISTRATION_NO_PATTERN", str),
    "index_no_code": ("PORTAL_INDEX_NO_CODE", str),
    "index_no_pattern": ("PORTAL_INDEX_NO_PATTERN", str),
    "column_intervals": ("PORTAL_COLUMN_INTERVALS", _list),
    "enquiry_accept_days": ("PORTAL_ENQUIRY_ACCEPT_DAYS", int),
    "enquiry_consult_answer_days": ("PORTAL_ENQUIRY_CONSULT_ANSWER_DAYS", int),
    "enquiry_suggest_answer_days": ("PORTAL_ENQUIRY_SUGGEST_ANSWER_DAYS", int),
    "enquiry_error_days": ("PORTAL_ENQUIRY_ERROR_DAYS", int),
    "enquiry_extension_days": ("PORTAL_ENQUIRY_EXTENSION_DAYS", int),
    "enquiry_due_soon_days": ("PORTAL_ENQUIRY_DUE_SOON_DAYS", int),
    "enquiry_zombie_months": ("PORTAL_ENQUIRY_ZOMBIE_MONTHS", int),
    "enquiry_cadence_months": ("PORTAL_ENQUIRY_CADENCE_MONTHS", int),
}


def local_base_url(host: str, port: int) -> str:
    """The base URL of ``portal serve --host H --port P``; a wildcard address is reached on loopback."""
    if host in {"", "0.0.0.0", "::"}:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Build settings from the environment, then ``overrides``; fill the secret key last."""
    values: dict[str, Any] = {}
    for name, (var, convert) in _ENV.items():
        raw = os.environ.get(var)
        if raw not in (None, ""):
            try:
                values[name] = convert(raw)
            except ValueError as exc:
                raise SystemExit(f"{var}: invalid value {raw!r} ({exc})") from exc
    values.update(overrides or {})
    for name in ("instance_path", "search_index", "content_dir"):
        if name in values:
            values[name] = Path(values[name]).resolve()
    settings = Settings(**values)
    if settings.search_backend not in {"whoosh", "postgres"}:
        raise SystemExit(
            f"PORTAL_SEARCH_BACKEND must be 'whoosh' or 'postgres', not {settings.search_backend!r}"
        )
    if settings.trusted_proxies < 0:
        raise SystemExit(f"PORTAL_TRUSTED_PROXIES must be 0 or more, not {settings.trusted_proxies}")
    for entry in settings.column_intervals:
        if not re.match(r"^[a-z_]+=\d+[dwm]$", entry):
            raise SystemExit(f"PORTAL_COLUMN_INTERVALS: bad entry {entry!r} (expected kind=<number><d|w|m>)")
    for name in ("registration_no_pattern", "index_no_pattern"):
        try:
            re.compile(getattr(settings, name))
        except re.error as exc:
            raise SystemExit(f"PORTAL_{name.upper()}: invalid regular expression ({exc})") from exc
    for name in _ENV:
        if name.startswith("enquiry_") and getattr(settings, name) < (
            0 if name == "enquiry_due_soon_days" else 1
        ):
            var = _ENV[name][0]
            raise SystemExit(f"{var} must be a whole number of at least 1 (0 for the due-soon alert)")
    if not settings.secret_key:
        settings = dataclasses.replace(settings, secret_key=_instance_secret(settings.instance_path))
    return settings


def _instance_secret(instance_path: Path) -> str:
    """Generate the secret key once and keep it, so sessions survive restarts."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        # Written to a temporary name and linked into place, so that two workers starting at once
        # agree on one key and neither ever reads a half-written file.
        tmp = key_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return key_file.read_text().strip()
