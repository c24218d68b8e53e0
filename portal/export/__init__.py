"""Static export of the public site (``portal freeze``): see :mod:`portal.export.freeze`."""

from portal.export.freeze import FreezeReport, freeze

__all__ = ["FreezeReport", "freeze"]
