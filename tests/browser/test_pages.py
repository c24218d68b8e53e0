"""Every kind of page in Chromium at 375 px and 1280 px: no horizontal scrolling, nothing cut off, no
serious or critical axe-core violation, and a keyboard reaches every link and field in reading order.
Screenshots (JPEG) go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import artifact

pytestmark = pytest.mark.browser
WIDTHS = (375, 1280)
# Layout, accessibility and keyboard checks look at markup and CSS, which do not depend on the database:
# they run on SQLite only (the scenarios in test_scenarios.py run on both backends). Half the suite's
# slowest tests, for no loss of coverage.
LAYOUT_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

# Elements wider than the viewport, or reaching past its right edge, that are not inside a container that
# scrolls on its own (a wide table in .table-scroll is fine: it scrolls, the page does not).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
    return false; };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el.closest('.skip, [aria-hidden="true"]')) continue;  // off-screen on purpose: skip link, honeypot
    if ((r.right > width + 1 || r.left < -1) && !scrolls(el))
      out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 10)};
}"""

FOCUSABLE_JS = """() => {
  const sel = 'a[href], summary, button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  const visible = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    if (el.getAttribute('tabindex') === '-1' || el.closest('[aria-hidden="true"]')) return false;
    if (!el.checkVisibility() && !el.classList.contains('skip')) return false;  // e.g. inside a closed <details>
    return s.visibility !== 'hidden' && s.display !== 'none' && (r.width > 0 || r.height > 0 || el.classList.contains('skip')); };
  let n = 0; const ids = [];
  for (const el of document.querySelectorAll(sel)) { if (!visible(el)) continue;
    el.dataset.kb = String(n++); ids.push(el.dataset.kb); }
  return ids;
}"""

ACTIVE_JS = """() => { const el = document.activeElement; if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  return {kb: el.dataset.kb || null, tag: el.tagName.toLowerCase(), text: (el.textContent || el.name || '').trim().slice(0, 30),
          top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, inView: r.bottom > 0 && r.top < window.innerHeight,
          outline: getComputedStyle(el).outlineStyle}; }"""


def _open(page, url: str) -> None:  # noqa: ANN001
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status < 500, url


@LAYOUT_ONLY
def test_every_page_type_fits_375_and_1280_px(page_at, live_server, page_types):
    problems = []
    for width in WIDTHS:
        page = page_at(width)
        for name, path in page_types.items():
            _open(page, live_server + path)
            result = page.evaluate(OVERFLOW_JS)
            # JPEG: Chromium encodes a full-page PNG in twice the time, and these are for people to look at.
            shot = artifact("screenshots", f"{name}-{width}.jpg")
            page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=80)
            if result["scrollWidth"] > result["width"] or result["out"]:
                problems.append(
                    f"{name} ({path}) at {width}px: page {result['scrollWidth']} px wide in a "
                    f"{result['width']} px viewport; cut off: {result['out']}"
                )
    assert not problems, "\n".join(problems)


@LAYOUT_ONLY
def test_axe_finds_no_serious_or_critical_violation(page_at, live_server, page_types, axe_source):
    problems = []
    for width in WIDTHS:
        page = page_at(width, bypass_csp=True)  # the audit script is injected inline
        # Into every document of the context as it starts (not added by each page after it loads): the
        # 500 kB script crosses to the browser once, and Chromium's compile cache serves the later pages.
        page.context.add_init_script(script=axe_source)
        for name, path in page_types.items():
            _open(page, live_server + path)
            violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
                .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))""")
            problems += [f"{name} ({path}) at {width}px: {v}" for v in violations]
    assert not problems, "\n".join(problems)


@LAYOUT_ONLY
def test_keyboard_reaches_every_link_and_field_in_reading_order(page_at, live_server, page_types):
    problems = []
    page = page_at(375)  # one column: reading order is top to bottom
    for name, path in page_types.items():
        _open(page, live_server + path)
        expected = page.evaluate(FOCUSABLE_JS)
        seen, last_top = [], -1.0
        for _ in range(len(expected) + 5):
            page.keyboard.press("Tab")
            active = page.evaluate(ACTIVE_JS)
            if active is None or active["kb"] in seen[:1]:
                break  # wrapped around to the browser chrome or to the first element
            seen.append(active["kb"])
            if active["kb"] is None:
                problems.append(
                    f"{name}: focus reached {active['tag']} “{active['text']}” that is not a link or field"
                )
            if not active["inView"]:
                problems.append(f"{name}: focused {active['tag']} “{active['text']}” is off screen")
            if active["outline"] == "none" and active["tag"] in (
                "a",
                "button",
                "input",
                "select",
                "textarea",
            ):
                problems.append(f"{name}: focused {active['tag']} “{active['text']}” shows no focus outline")
            if active["top"] + 2 < last_top:
                problems.append(f"{name}: focus moved up the page to {active['tag']} “{active['text']}”")
            last_top = active["top"]
        if [kb for kb in seen if kb is not None] != expected:
            missing = [
                page.evaluate(f"document.querySelector('[data-kb=\"{kb}\"]').outerHTML.slice(0, 120)")
                for kb in expected
                if kb not in seen
            ]
            problems.append(
                f"{name} ({path}): focus order differs from reading order; never reached: {missing[:5]}"
            )
    assert not problems, "\n".join(problems)


def test_a_missing_npm_tool_skips_with_the_command_to_run_and_fails_when_strict(tmp_path):
    from tests.browser.conftest import read_npm_tool

    missing = tmp_path / "node_modules" / "axe-core" / "axe.min.js"
    with pytest.raises(pytest.skip.Exception, match="npm ci"):
        read_npm_tool(missing, strict=False)
    with pytest.raises(pytest.fail.Exception, match="npm ci"):
        read_npm_tool(missing, strict=True)


FIRST_RESULT_JS = """() => {
  const hit = document.querySelector('.results li');
  const links = [...document.querySelectorAll('.facets li a')].filter(a => a.checkVisibility());
  return {top: hit.getBoundingClientRect().top + window.scrollY, visibleFacetLinks: links.length};
}"""


@LAYOUT_ONLY
def test_at_375_px_the_results_come_first_and_the_filters_open_on_demand(page_at, live_server, demo):
    for path in ("/policies/", "/search?q=政务公开"):
        page = page_at(375)
        _open(page, live_server + path)
        before = page.evaluate(FIRST_RESULT_JS)
        assert before["top"] < 500, f"{path}: the first result starts {before['top']} px down"
        assert before["visibleFacetLinks"] == 0, path
        page.click(".facets summary")  # no script: the browser's own disclosure
        assert page.evaluate(FIRST_RESULT_JS)["visibleFacetLinks"] > 3, path
        wide = page_at(1280)
        _open(wide, live_server + path)
        assert wide.evaluate(FIRST_RESULT_JS)["visibleFacetLinks"] > 3, f"{path}: sidebar hidden at 1280 px"


SUMMARY_JS = """() => {
  const width = document.documentElement.clientWidth;
  const cells = [...document.querySelectorAll('#table-summary tbody td, #table-summary tbody th')];
  const outside = cells.filter(c => { const r = c.getBoundingClientRect(); return r.right > width + 1 || r.width === 0; })
    .map(c => c.dataset.label + ': ' + c.textContent.trim());
  const broken = [];
  for (const cell of document.querySelectorAll('.data-table td, .figures dd')) {
    const text = cell.textContent.trim();
    if (!/^[0-9.%（）()/≥ ]+$/.test(text)) continue;  // a figure, not words
    const range = document.createRange(); range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size > 1) broken.push(text);
  }
  const status = cells.filter(c => c.dataset.label === '状态').map(c => c.textContent.trim());
  return {outside, broken, status};
}"""


@LAYOUT_ONLY
def test_targets_summary_at_375_px_shows_every_status_and_keeps_figures_whole(page_at, live_server, demo):
    page = page_at(375)
    _open(page, live_server + "/targets/2020/")
    result = page.evaluate(SUMMARY_JS)
    assert result["status"] and all(result["status"]), result
    assert not result["outside"], f"cells outside the viewport or in an inner scroll: {result['outside']}"
    assert not result["broken"], f"figures broken across lines: {result['broken']}"
