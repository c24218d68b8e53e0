"""The staff-area fixtures (agencies, one user per role, drafts made through the services)."""

from tests.admin.conftest import agencies, make_draft, staff  # noqa: F401
