"""The shape of the staff step pages (FOI requests, enquiries): each step of an item is one POST to
``/<id>/<step>``, parsed by its own WTForms form and done by one service function.

A refused step shows the item's page again with 400 (or the refusal's status), the step's form as typed
and the refusal attached to the field it names; a step done is committed and flashed, and the view
redirects where it should. The services raise errors with ``message``, ``field`` and ``status``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from flask import flash

from portal.db import session
from portal.web.forms import Form

T = TypeVar("T")


class Refusal(Protocol):
    message: str
    field: str
    status: int


@dataclass(frozen=True)
class Step(Generic[T]):
    form: Callable[..., Any]
    run: Callable[[Any, T], object]  # what a step returns is not used
    done: str  # flashed when the step is done
    roles: tuple[str, ...] = ()  # who may take it, beyond the route's own roles (none: the route's)


Page = Callable[..., tuple[str, int]]  # page(item, status, **{step: form in error})


def blank_forms(steps: Mapping[str, Step[Any]], in_error: Mapping[str, Form]) -> dict[str, Form]:
    """One form per step for the item's page, each with its prefix; a refused one as it was typed."""
    forms = {name: step.form(formdata=None, prefix=name) for name, step in steps.items()}
    forms.update(in_error)
    return forms


def take(
    steps: Mapping[str, Step[T]],
    name: str,
    item: T,
    *,
    page: Page,
    reload: Callable[[], T | None],
    refused: type[Exception] | tuple[type[Exception], ...],
    prepare: Callable[[Any], None] = lambda form: None,
) -> tuple[str, int] | None:
    """Take step ``name`` on ``item``: None when done (committed and flashed), else the page to show.

    ``prepare`` fills in what the form needs before it parses (the choices of a select); ``reload``
    fetches the item again after a rollback, for the page of a refusal."""
    step = steps[name]
    form = step.form(prefix=name)
    prepare(form)
    if not form.validate():
        return page(item, 400, **{name: form})
    try:
        step.run(form, item)
        session.commit()
    except refused as exc:
        session.rollback()
        why: Any = exc
        form.fail(why.field, why.message)
        return page(reload() or item, why.status, **{name: form})
    flash(step.done, "success")
    return None
