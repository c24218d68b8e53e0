"""The report's text: six sections drafted from the figures (staff edit them), and the document body.

The body is Markdown with the three tables as HTML blocks (the 2021 format's merged headings need
rowspan/colspan, which the sanitizer keeps), so the published report is an ordinary document body: the
library page shows it, the search indexes it, and the print stylesheet lays the tables out on A4.
"""

from __future__ import annotations

from html import escape

from portal.models.annual_reports import ENTERED_FIGURES, SECTIONS
from portal.models.foi import APPLICANT_TYPES, REMEDY_KINDS, REMEDY_RESULTS
from portal.services.annual_reports.table2 import KINDS
from portal.services.annual_reports.tables import Tables
from portal.services.foi import report as foi_report


def title(tables: Tables) -> str:
    return f"{tables.report.agency.name}{tables.report.year}年政府信息公开工作年度报告"


def _n(value: object) -> str:
    return "—" if value in (None, "") else str(value)


def drafts(tables: Tables) -> dict[str, str]:
    """First drafts of the six sections, worded from the figures; staff complete and correct them."""
    r = tables.report
    year, name = r.year, r.agency.name
    t2 = tables.table2.rows
    normative = t2["normative"].counts
    new = tables.table3.new.counts["total"] if tables.table3 else 0
    carried_in = tables.table3.carried_in.counts["total"] if tables.table3 else 0
    done = tables.table3.results_total.counts["total"] if tables.table3 else 0
    carried_out = tables.table3.carried_out.counts["total"] if tables.table3 else 0
    reviews = tables.table4.counts["review"]["total"] if tables.table4 else 0
    suits = (
        tables.table4.counts["litigation_direct"]["total"]
        + tables.table4.counts["litigation_after_review"]["total"]
        if tables.table4
        else 0
    )
    corrected = sum(tables.table4.counts[k]["corrected"] for k in REMEDY_KINDS) if tables.table4 else 0
    fees = tables.fees_yuan
    return {
        "overview": (
            f"{year}年，{name}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
            f"全年在本网站主动公开政府信息{tables.proactive_count}条，收到政府信息公开申请{new}件，"
            f"办结{done}件。本报告根据条例第五十条和《政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）编制，"
            f"所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        ),
        "proactive": (
            f"{year}年制发行政规范性文件{normative['issued']}件，废止{normative['repealed']}件，"
            f"年末现行有效{normative['valid']}件，均通过政府信息公开平台统一公布。"
        ),
        "requests": (
            f"{year}年新收政府信息公开申请{new}件，上年结转{carried_in}件；本年度办结{done}件，"
            f"结转下年度继续办理{carried_out}件。"
        ),
        "remedies": (
            f"{year}年因政府信息公开被申请行政复议{reviews}件、提起行政诉讼{suits}件，其中结果被纠正{corrected}件。"
        ),
        "problems": "（请填写本年度政府信息公开工作存在的主要问题，以及上一年度问题的改进情况。）",
        "other": (
            f"{year}年依据《政府信息公开信息处理费管理办法》收取信息处理费{fees}元。"
            if fees
            else f"{year}年未收取信息处理费。"
        ),
    }


def _th(text: str, **attrs: object) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<th{extra}>{escape(text)}</th>"


def table2_html(tables: Tables) -> str:
    rows = tables.table2.rows
    e = tables.entered
    out = ["<table>", "<caption>二、主动公开政府信息情况</caption>", "<tbody>"]
    out.append(f"<tr>{_th('第二十条第（一）项', colspan=4, scope='colgroup')}</tr>")
    out.append(
        "<tr>"
        + "".join(_th(t, scope="col") for t in ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"))
        + "</tr>"
    )
    for kind, label in KINDS.items():
        c = rows[kind].counts
        out.append(
            f"<tr>{_th(label, scope='row')}<td>{c['issued']}</td><td>{c['repealed']}</td><td>{c['valid']}</td></tr>"
        )
    for key in ("licensing", ("penalty", "coercion"), "fees"):
        keys = key if isinstance(key, tuple) else (key,)
        item, _label, unit = ENTERED_FIGURES[keys[0]]
        out.append(f"<tr>{_th(item, colspan=4, scope='colgroup')}</tr>")
        out.append(f"<tr>{_th('信息内容', scope='col')}{_th(unit, colspan=3, scope='col')}</tr>")
        for k in keys:
            cell = e.get(k) or {}
            out.append(
                f'<tr>{_th(ENTERED_FIGURES[k][1], scope="row")}<td colspan="3">{escape(_n(cell.get("value")))}</td></tr>'
            )
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def table3_html(tables: Tables) -> str:
    t3 = tables.table3
    if t3 is None:
        return ""
    out = ["<table>", "<caption>三、收到和处理政府信息公开申请情况</caption>", "<thead>"]
    out.append(
        "<tr>"
        + _th(
            "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
            rowspan=3,
            colspan=3,
            scope="col",
        )
        + _th("申请人情况", colspan=7, scope="colgroup")
        + "</tr>"
    )
    out.append(
        "<tr>"
        + _th("自然人", rowspan=2, scope="col")
        + _th("法人或其他组织", colspan=5, scope="colgroup")
        + _th("总计", rowspan=2, scope="col")
        + "</tr>"
    )
    labels = [v if k != "other" else "其他" for k, v in APPLICANT_TYPES.items() if k != "person"]
    out.append("<tr>" + "".join(_th(label, scope="col") for label in labels) + "</tr>")
    out += ["</thead>", "<tbody>"]

    def cells(line: foi_report.Line) -> str:
        return "".join(f"<td>{line.counts[c]}</td>" for c in foi_report.COLUMNS)

    out.append(f"<tr>{_th('一、本年新收政府信息公开申请数量', colspan=3, scope='row')}{cells(t3.new)}</tr>")
    out.append(
        f"<tr>{_th('二、上年结转政府信息公开申请数量', colspan=3, scope='row')}{cells(t3.carried_in)}</tr>"
    )
    results = [*t3.results, t3.results_total]
    groups: list[tuple[str, list[foi_report.Line]]] = []
    for line in results:
        if groups and groups[-1][0] == line.group:
            groups[-1][1].append(line)
        else:
            groups.append((line.group, [line]))
    first = True
    for group, lines in groups:
        for n, line in enumerate(lines):
            head = _th("三、本年度办理结果", rowspan=len(results), scope="rowgroup") if first else ""
            first = False
            if len(lines) == 1:
                text = group if line.label in group else f"{group}{line.label}"
                label = _th(text, colspan=2, scope="row")
            else:
                label = _th(group, rowspan=len(lines), scope="rowgroup") if n == 0 else ""
                label += _th(line.label, scope="row")
            out.append(f"<tr>{head}{label}{cells(line)}</tr>")
    out.append(f"<tr>{_th('四、结转下年度继续办理', colspan=3, scope='row')}{cells(t3.carried_out)}</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def table4_html(tables: Tables) -> str:
    t4 = tables.table4
    if t4 is None:
        return ""
    results = [*REMEDY_RESULTS.values(), "总计"]
    out = ["<table>", "<caption>四、政府信息公开行政复议、行政诉讼情况</caption>", "<thead>"]
    out.append(
        "<tr>"
        + _th("行政复议", colspan=5, scope="colgroup")
        + _th("行政诉讼", colspan=10, scope="colgroup")
        + "</tr>"
    )
    out.append(
        "<tr>"
        + "".join(_th(r, rowspan=2, scope="col") for r in results)
        + _th("未经复议直接起诉", colspan=5, scope="colgroup")
        + _th("复议后起诉", colspan=5, scope="colgroup")
        + "</tr>"
    )
    out.append("<tr>" + "".join(_th(r, scope="col") for r in results * 2) + "</tr>")
    out += ["</thead>", "<tbody>", "<tr>"]
    for kind in ("review", "litigation_direct", "litigation_after_review"):
        out.append("".join(f"<td>{t4.counts[kind][r]}</td>" for r in (*REMEDY_RESULTS, "total")))
    out += ["</tr>", "</tbody>", "</table>"]
    return "\n".join(out)


def body_markdown(tables: Tables, sections: dict[str, str]) -> str:
    """The whole report as the document body: each section's text, with its table after it."""
    after = {"proactive": table2_html, "requests": table3_html, "remedies": table4_html}
    parts = []
    for key, heading in SECTIONS.items():
        parts.append(f"## {heading}")
        text = (sections.get(key) or "").strip()
        if text:
            parts.append(text)
        if key in after and (html := after[key](tables)):
            parts.append(html)
    return "\n\n".join(parts) + "\n"
