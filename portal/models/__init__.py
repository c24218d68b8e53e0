"""All models, imported here so that ``Base.metadata`` knows every table."""

from portal.models.accounts import ROLES, User
from portal.models.agency import Agency
from portal.models.audit import AuditEntry
from portal.models.documents import Document, DocumentAgency, DocumentLink, Measure, Topic
from portal.models.interpretations import Interpretation, QAItem
from portal.models.publishing import Attachment, DocumentVersion, PublicationWaiver, ReviewRemark
from portal.models.push import Channel, Push

__all__ = [
    "ROLES",
    "Agency",
    "Attachment",
    "AuditEntry",
    "Channel",
    "Document",
    "DocumentAgency",
    "DocumentLink",
    "DocumentVersion",
    "Interpretation",
    "Measure",
    "PublicationWaiver",
    "Push",
    "QAItem",
    "ReviewRemark",
    "Topic",
    "User",
]
