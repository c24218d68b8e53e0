"""All models, imported here so that ``Base.metadata`` knows every table."""

from portal.models.accounts import ROLES, SignInFailure, User
from portal.models.agency import Agency
from portal.models.annual_reports import AnnualReport
from portal.models.audit import AuditEntry
from portal.models.consultations import BlockedSender, Clause, Comment, Consultation, Viewpoint
from portal.models.documents import BodyFingerprint, Document, DocumentAgency, DocumentLink, Measure, Topic
from portal.models.enquiries import Enquiry, EnquiryEvent
from portal.models.foi import InfoRequest, InfoRequestEvent, InfoRequestRemedy
from portal.models.gazette import GazetteEntry, GazetteIssue
from portal.models.interpretations import Interpretation, QAItem
from portal.models.meetings import Meeting
from portal.models.publishing import Attachment, DocumentVersion, PublicationWaiver, ReviewRemark
from portal.models.push import Channel, Push
from portal.models.search import SearchChunk, SearchEntry, SearchOutbox
from portal.models.subscriptions import (
    Subscriber,
    Subscription,
    SubscriptionEvent,
    SubscriptionMatch,
    SubscriptionMessage,
    SubscriptionRequest,
)
from portal.models.targets import Target
from portal.models.xxgk import DisclosureCategory, InfoPage

__all__ = [
    "ROLES",
    "Agency",
    "AnnualReport",
    "Attachment",
    "AuditEntry",
    "BlockedSender",
    "Channel",
    "Clause",
    "Comment",
    "Consultation",
    "DisclosureCategory",
    "Document",
    "DocumentAgency",
    "BodyFingerprint",
    "DocumentLink",
    "DocumentVersion",
    "Enquiry",
    "EnquiryEvent",
    "GazetteEntry",
    "GazetteIssue",
    "InfoPage",
    "InfoRequest",
    "InfoRequestEvent",
    "InfoRequestRemedy",
    "Interpretation",
    "Measure",
    "Meeting",
    "PublicationWaiver",
    "Push",
    "QAItem",
    "SearchChunk",
    "SearchEntry",
    "SearchOutbox",
    "SignInFailure",
    "Subscriber",
    "Subscription",
    "SubscriptionEvent",
    "SubscriptionMatch",
    "SubscriptionMessage",
    "SubscriptionRequest",
    "ReviewRemark",
    "Target",
    "Topic",
    "User",
    "Viewpoint",
]
