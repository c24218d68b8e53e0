"""What the subscription pages show, built here so that views stay thin and templates never query."""

from __future__ import annotations

from portal.services.subscriptions.signup import Target


def everything() -> Target:
    """The subscription the /subscriptions/ page offers: every new document and every change."""
    return Target("all", "", "全部新发布的政策文件及其变更")
