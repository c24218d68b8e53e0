"""The information processing fee (信息处理费) of 政府信息公开信息处理费管理办法 (2020), NORMS 35.

Free by default (art 42 of the regulation). Only where an applicant's requests exceed a reasonable amount
is a fee charged, by one of two methods per application, never both:

- per application (按件计收): an applicant's applications in one calendar month, counted in order of
  receipt: the 1st–10th are free, the 11th–30th cost 100 yuan each, and from the 31st every further band of
  ten costs 100 yuan more per application (31st–40th 200, 41st–50th 300, …);
- per page (按量计收), for one application: pages 1–30 free, pages 31–100 10 yuan a page, pages 101–200
  20 yuan a page, every page past 200 40 yuan.

The applicant has 20 working days from the fee notice to pay; otherwise the request lapses (逾期未缴费).
"""

from __future__ import annotations

METHODS = {"per_application": "按件计收", "per_page": "按量计收"}
PAYMENT_WORKING_DAYS = 20
_PAGE_BANDS = ((30, 0), (100, 10), (200, 20), (None, 40))  # (up to page, yuan per page)


def per_application(nth_in_month: int) -> int:
    """Fee in yuan for an applicant's ``nth_in_month`` application of a calendar month (1-based)."""
    if nth_in_month < 1:
        raise ValueError("the first application of a month is number 1")
    if nth_in_month <= 10:
        return 0
    if nth_in_month <= 30:
        return 100
    return 100 + 100 * ((nth_in_month - 31) // 10 + 1)


def per_page(pages: int) -> int:
    """Fee in yuan for providing ``pages`` pages (or page equivalents) in answer to one application."""
    if pages < 0:
        raise ValueError("pages cannot be negative")
    fee, lower = 0, 0
    for upper, price in _PAGE_BANDS:
        top = pages if upper is None else min(pages, upper)
        if top > lower:
            fee += (top - lower) * price
        if upper is None or pages <= upper:
            break
        lower = upper
    return fee


def fee(method: str, count: int) -> int:
    """The fee by one method: ``count`` is the application's number in the month, or its pages."""
    if method == "per_application":
        return per_application(count)
    if method == "per_page":
        return per_page(count)
    raise ValueError(f"unknown fee method {method!r}")
