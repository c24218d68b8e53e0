"""The staff area under /admin/. Default-deny: see ``portal.web.admin.access``."""
