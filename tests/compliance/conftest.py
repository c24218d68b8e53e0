"""The staff fixtures of tests/admin (two agencies, a user per role, drafts made through the services)."""

from tests.admin.conftest import agencies, make_draft, make_interpretation, staff  # noqa: F401
