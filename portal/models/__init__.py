"""All models, imported here so that ``Base.metadata`` knows every table."""

from portal.models.accounts import ROLES, User
from portal.models.agency import Agency
from portal.models.audit import AuditEntry
from portal.models.documents import Document, DocumentAgency, DocumentLink, Measure, Topic
from portal.models.gazette import GazetteEntry, GazetteIssue
from portal.models.interpretations import Interpretation, QAItem
from portal.models.search import SearchEntry

__all__ = [
    "ROLES",
    "Agency",
    "AuditEntry",
    "Document",
    "DocumentAgency",
    "DocumentLink",
    "GazetteEntry",
    "GazetteIssue",
    "Interpretation",
    "Measure",
    "QAItem",
    "SearchEntry",
    "Topic",
    "User",
]
