"""Consultations (意见征集), one module per job:

- :mod:`.lifecycle`: create (with the period rules), publish, close;
- :mod:`.commenting`: receiving comments durably, online and entered by staff;
- :mod:`.reading`: the public reads (list by phase, one consultation, its published comments);
- :mod:`.moderation`: publish, reject, mark as duplicate, block a sender;
- :mod:`.dispositions`: viewpoints and each accepted comment's disposition after the period;
- :mod:`.staff`: staff reads (lists, counts, form choices, dashboard to-dos);
- :mod:`.report`: the feedback report, its notifications and the CSV export;
- :mod:`.rules`: rules that need no database (period length, phase, clauses, receipt codes);
- :mod:`.search`: consultations in the site search.

Every refusal raises :class:`ConsultationError` with a Chinese message before anything is written; staff
writes are audited. The names callers use are re-exported here (``from portal.services import
consultations as service``); ``report`` and ``search`` are imported as modules of their own.
"""

from __future__ import annotations

from portal.services.consultations.commenting import (
    BODY_MAX,
    CONTACT_MAX,
    NAME_MAX,
    CommentInput,
    check_comment,
    clean_text,
    enter_comment,
    find_by_key,
    find_receipt,
    has_control_characters,
    sender_hash,
    strip_control_characters,
    submit_comment,
)
from portal.services.consultations.dispositions import (
    REASON_REQUIRED,
    DispositionRow,
    add_viewpoint,
    answer_comments,
    check_disposition,
    new_viewpoint,
    open_dispositions,
    save_dispositions,
)
from portal.services.consultations.errors import ConsultationError
from portal.services.consultations.lifecycle import (
    ConsultationInput,
    check_period,
    close_consultation,
    create_consultation,
    end_consultation,
    new_consultation,
    pending_count,
    publish_consultation,
    set_draft,
    set_texts,
    update_consultation,
)
from portal.services.consultations.moderation import (
    MODERATION_ACTIONS,
    block_sender,
    comments_by_ids,
    moderate,
    moderate_comments,
)
from portal.services.consultations.reading import (
    ShownComments,
    consultation_for_comment,
    consultations_for_document,
    public_consultation,
    public_consultations,
    public_list,
    shown_comments,
)
from portal.services.consultations.rules import days_left, phase
from portal.services.consultations.staff import (
    agency_choices,
    document_choices,
    in_scope,
    moderation_counts,
    staff_comments,
    staff_consultation,
    staff_list,
    staff_page,
    staff_todo,
)

__all__ = [
    "answer_comments",
    "check_comment",
    "check_disposition",
    "end_consultation",
    "moderate_comments",
    "new_consultation",
    "new_viewpoint",
    "update_consultation",
    "BODY_MAX",
    "CONTACT_MAX",
    "MODERATION_ACTIONS",
    "NAME_MAX",
    "REASON_REQUIRED",
    "CommentInput",
    "ConsultationError",
    "ConsultationInput",
    "DispositionRow",
    "ShownComments",
    "add_viewpoint",
    "agency_choices",
    "block_sender",
    "check_period",
    "clean_text",
    "close_consultation",
    "comments_by_ids",
    "consultation_for_comment",
    "consultations_for_document",
    "create_consultation",
    "days_left",
    "document_choices",
    "enter_comment",
    "find_by_key",
    "find_receipt",
    "has_control_characters",
    "in_scope",
    "moderate",
    "moderation_counts",
    "open_dispositions",
    "pending_count",
    "phase",
    "public_consultation",
    "public_consultations",
    "public_list",
    "publish_consultation",
    "save_dispositions",
    "sender_hash",
    "set_draft",
    "set_texts",
    "shown_comments",
    "staff_comments",
    "staff_consultation",
    "staff_list",
    "staff_page",
    "staff_todo",
    "strip_control_characters",
    "submit_comment",
]
