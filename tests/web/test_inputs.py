"""Odd inputs get a 4xx with the Chinese error page, never a 5xx (issue 11, ASVS 5.0 L2 input checks).

Unicode digits pass ``str.isdigit()`` and break ``int()``; integers past PostgreSQL's ``integer`` or past
64 bits overflow the drivers; PostgreSQL refuses NUL bytes in text. The route fuzz (test_fuzz.py) sweeps
every route; these tests pin what a visitor sees in each case.
"""

from __future__ import annotations

import pytest

from portal.services.numbers import parse_int

NUL_MESSAGE = "空字符"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),
        ("①", None),
        ("1²", None),
        ("٣", None),  # an Arabic-Indic three: int() takes it, a URL or form of the portal does not
        ("３", None),
        ("-1", None),
        ("+1", None),
        ("2147483647", 2147483647),
        ("2147483648", None),
        ("9" * 5000, None),
        ("", None),
        (None, None),
    ],
)
def test_parse_int_takes_ascii_digits_within_the_database_integer(raw, expected):
    assert parse_int(raw) == expected


def test_parse_int_bounds():
    assert parse_int("1949", 1949, 2100) == 1949
    assert parse_int("1948", 1949, 2100) is None
    assert parse_int("0", 1) is None


@pytest.mark.parametrize(
    "path",
    [
        "/gazette/2020/2147483648/",
        "/gazette/9223372036854775808/1/",
        "/gazette/99999999999999999999999999/1/",
        "/gazette/%C2%B2/1/",  # ²
        "/gazette/%E2%91%A0/1/",  # ①
        "/gazette/%D9%A3/1/",  # ٣
        "/policies/page/99999999999999999999/",
        "/targets/2147483648/",
        "/policies/x/files/9223372036854775808/a.png",
    ],
)
def test_integers_out_of_range_or_not_ascii_in_a_path_are_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_staff_ids_past_the_database_integer_are_not_found(client, make_user, login_as):
    login_as(make_user("admin", ["admin", "editor"]))
    for path in (
        "/admin/documents/2147483648",
        "/admin/agencies/99999999999999999999",
        "/admin/users/%C2%B2",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["page=%C2%B2", "page=%E2%91%A0", "year=%C2%B2", "year=9999999999999999999999", "page=" + "9" * 5000],
    ids=lambda query: query[:32],
)
@pytest.mark.parametrize("path", ["/policies/", "/search", "/meetings/", "/api/v1/documents"])
def test_unicode_digits_and_huge_numbers_in_a_query_are_treated_as_not_a_number(client, path, query):
    """Like ``page=abc``: the page or filter is ignored, as for any value that is not a number."""
    odd, plain = client.get(f"{path}?{query}"), client.get(f"{path}?{query.split('=')[0]}=abc")
    assert odd.status_code == plain.status_code < 500


@pytest.mark.parametrize(
    "url",
    [
        "/policies/2020-key-points%00/",
        "/policies/topic/%E6%94%BF%00/",
        "/consultations/receipts/ABCDE%00FGHIJ/",
        "/consultations/receipts/?code=ABCDE%00",
        "/search?q=%E6%94%BF%E5%8A%A1%00",
        "/policies/?agency=x%00",
        "/feeds/topic/%00.atom",
        "/meetings/a%00b/",
    ],
)
def test_nul_in_a_path_or_query_is_a_400_with_the_chinese_page(client, url):
    response = client.get(url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请求有误" in html and NUL_MESSAGE in html


def test_nul_in_an_api_request_is_a_json_400(client):
    response = client.get("/api/v1/documents/a%00b")
    assert response.status_code == 400 and response.json["error"] == 400
