"""Default-deny access control for the staff area.

Every endpoint under ``/admin/`` must declare the roles that may use it with :func:`roles_required`
(or :func:`any_staff`). An endpoint that declares nothing is refused to everybody, so a forgotten
declaration fails closed. Anonymous visitors are sent to the login page; signed-in users without a
listed role get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import LoginManager, current_user

from portal.db import session
from portal.models import User
from portal.models.accounts import STAFF_ROLES
from portal.services import accounts

F = TypeVar("F", bound=Callable[..., Any])
ADMIN_PREFIX = "/admin/"
# Reachable without signing in (the login page itself and its helpers). Nothing else is.
PUBLIC_ADMIN_ENDPOINTS: set[str] = set()
ANY_STAFF = STAFF_ROLES

login_manager = LoginManager()


def roles_required(*roles: str) -> Callable[[F], F]:
    """Declare which roles may use a staff view; a user needs any one of them."""

    def decorate(view: F) -> F:
        view._portal_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return decorate


def any_staff(view: F) -> F:
    """Any signed-in staff member, whatever the role (own profile, password change, dashboard)."""
    return roles_required(*ANY_STAFF)(view)


def public_admin(view: F) -> F:
    """Mark a staff-area view (login, TOTP step) as reachable without signing in."""
    view._portal_public = True  # type: ignore[attr-defined]
    return view


def allowed_roles(endpoint: str) -> frozenset[str] | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_portal_roles", None)


def _enforce() -> Any:
    if not request.path.startswith(ADMIN_PREFIX) or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "_portal_public", False):
        return None
    roles = getattr(view, "_portal_roles", None)
    if not current_user.is_authenticated:
        login = "admin_auth.login" if "admin_auth.login" in current_app.view_functions else None
        if login:
            return redirect(url_for(login, next=request.full_path))
        abort(401)
    if not roles or not current_user.has_role(*roles):
        abort(403)
    return None


def _audit_forbidden(response: Any) -> Any:
    """Every 403 in the staff area goes into the audit log with the client address (ASVS 16.3.2).

    A refused request writes nothing else: whatever the view left uncommitted is rolled back first.
    """
    if response.status_code == 403 and request.path.startswith(ADMIN_PREFIX):
        actor = current_user._get_current_object() if current_user.is_authenticated else "anonymous"
        session.rollback()
        accounts.record_forbidden(session, actor, request.path, request.method, request.remote_addr or "")
        session.commit()
    return response


def _no_store(response: Any) -> Any:
    if request.path.startswith(ADMIN_PREFIX):
        response.headers["Cache-Control"] = "no-store"
    return response


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    """Session token is ``<id>:<session_version>``: bumping the version ends every session."""
    return accounts.user_for_token(session, token)


def init_app(app: Flask) -> None:
    # current_user as a lazy global rather than Flask-Login's context processor, which loads the user
    # (session read, session-protection hash) before every template renders, public pages included, where
    # no template reads it.
    login_manager.init_app(app, add_context_processor=False)
    app.jinja_env.globals["current_user"] = current_user
    login_manager.session_protection = "basic"
    app.before_request(_enforce)
    app.after_request(_no_store)
    app.after_request(_audit_forbidden)
