"""The one exception of the consultation services: every refusal raises it, with a Chinese message,
before anything is written."""

from __future__ import annotations


class ConsultationError(ValueError):
    """A refusal with a message for the user, in Chinese; ``status`` is the HTTP status to answer with,
    ``retry_after`` the seconds to wait when it is 429. ``en`` is what ``portal load`` prints for a rule a
    content file can break (the Chinese message where there is none)."""

    def __init__(
        self, message: str, status: int = 400, field: str = "", retry_after: int = 0, en: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
        self.retry_after = retry_after
        self.en = en or message
