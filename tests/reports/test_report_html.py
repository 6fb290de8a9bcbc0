"""The report page in headless Chromium, from summaries built from data: its charts draw, a
reader's hover shows values in both time axes, a drag zooms every time chart, gates sit on their
charts, statuses are named, numbers are rounded, and a drill gets its own table."""

from __future__ import annotations

import json
import re

import pytest
from lxml import html as lxml_html

from reports.render_html import render_html
from tests.reports.browser import render, screenshot
from tests.reports.runs import FAULT, drill_summary, festival_summary

# Injected into a copy of the report: hovers the error chart in the fault, drags the arrival chart
# from 2:00 to 3:00, then hovers the latency chart's left edge; writes every legend it read.
PROBE = """
<script>
(async function () {
  const over = id => document.querySelector(`#chart-${id} .u-over`);
  const at = (id, t, last) => { const r = over(id).getBoundingClientRect();
    return {clientX: r.left + r.width * t / last, clientY: r.top + r.height / 2, bubbles: true}; };
  const legends = () => Object.fromEntries([...document.querySelectorAll("figure.timeseries")].map(f =>
    [f.id, [...f.querySelectorAll(".u-legend .u-series")].map(row =>
      [row.querySelector(".u-label").textContent, row.querySelector(".u-value").textContent])]));
  const probe = {};
  over("ratios").dispatchEvent(new MouseEvent("mousemove", at("ratios", 140, 299)));
  probe.fault = legends();
  over("arrival").dispatchEvent(new MouseEvent("mousedown", {...at("arrival", 120, 299), button: 0}));
  // a real drag moves: uPlot ignores a mousemove without movement while a button is down
  over("arrival").dispatchEvent(new MouseEvent("mousemove", {...at("arrival", 180, 299), movementX: 200}));
  document.dispatchEvent(new MouseEvent("mouseup", {...at("arrival", 180, 299), button: 0}));
  await null; await null;  // uPlot applies a new scale in a microtask
  const r = over("latency").getBoundingClientRect();
  over("latency").dispatchEvent(new MouseEvent("mousemove", {clientX: r.left + 1, clientY: r.top + 5, bubbles: true}));
  probe.zoomed = legends();
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(probe);
  document.body.append(pre);
})();
</script>
"""


def _rendered(tmp_path, summary, probe: bool = False):
    page = tmp_path / "report.html"
    text = render_html(summary)
    page.write_text(text.replace("</body>", PROBE + "</body>") if probe else text, encoding="utf-8")
    return text, render(page)


def _legend(rows: list[list[str]]) -> dict[str, str]:
    return {label: value for label, value in rows}


def test_the_time_charts_draw_offline_and_answer_hover_and_zoom(tmp_path):
    text, page = _rendered(tmp_path, festival_summary(), probe=True)
    assert page.console_errors == []
    assert 'data-charts="6"' in page.dom and 'data-drawn="6"' in page.dom
    assert "drawn by the page's own inline" not in page.dom  # the note for script-less viewers is gone
    for fetch in ('src="http', "src='http", 'href="http', "href='http", "url(http", "@import"):
        assert fetch not in text  # one file, nothing fetched
    probe = json.loads(lxml_html.fromstring(page.dom).get_element_by_id("probe").text)
    fault = _legend(probe["fault"]["chart-ratios"])
    # 140 s into the run, ten times compressed from 00:00 on 11 November: both clocks show it
    assert re.fullmatch(r"2:(19|20|21) · 2018-11-11 00:23:[0-5]0", fault["time"]), fault["time"]
    errors = re.fullmatch(r"(\d+\.\d) %", fault["errors (any non-2xx)"])  # three significant figures
    assert errors and 29 <= float(errors[1]) <= 31 and fault["429 throttled"] == "0 %"
    # the hover is shared: the latency chart shows the fault's p99 at the same moment
    latency = _legend(probe["fault"]["chart-latency"])
    assert float(latency["p99 corrected"].removesuffix(" ms")) > 800
    # dragging 2:00-3:00 on the arrival chart zoomed the latency chart too: its left edge is 2:00
    zoomed = _legend(probe["zoomed"]["chart-latency"])
    assert zoomed["time"].startswith(("1:59", "2:00", "2:01")), zoomed["time"]


def test_gates_are_drawn_on_their_charts_and_numbers_are_rounded(tmp_path):
    summary = festival_summary()
    text, page = _rendered(tmp_path, summary)
    tree = lxml_html.fromstring(page.dom)
    rows = {row[0].text_content(): [c.text_content().strip() for c in row[1:]]
            for row in tree.get_element_by_id("gates").findall(".//tr")[1:]}
    assert rows["error_ratio < 0.001"][:3] == ["0.1 %", "6.18 %", "FAIL"]
    assert rows["error_ratio < 0.001"][3] == "ratios"
    assert rows["latency_p99_ms < 250"] == ["250 ms", "312 ms", "FAIL", "latency"]
    assert rows["achieved_ratio >= 0.95"][3] == "arrival"
    assert rows["clearance_p95_s < 10"][3] == "clearance"
    assert rows["latency_p99_ms[CEB621] < 1000"][3] == ""  # one message type's gate is not drawn over all
    captions = tree.get_element_by_id("chart-ratios").find("figcaption").text_content()
    assert "gate error_ratio < 0.001 (0.1 %) (broken)" in captions
    assert "gate throttled_ratio < 0.2 (20 %) (held)" in captions
    assert "gate latency_p99_ms < 250 (250 ms) (broken)" in tree.get_element_by_id("chart-latency").text_content()
    assert "3.108863" not in text and "7.108863" not in text  # the summary's raw figures
    assert "5 min ·" in tree.get_element_by_id("verdict").getparent().getnext().text_content()
    assert "(value 6.18 %)" in tree.get_element_by_id("reasons").text_content()
    svg = tree.get_element_by_id("chart-clearance").text_content()
    assert "gate clearance_p95_s < 10" in svg and "6.85 s" in svg


def test_receipt_statuses_are_named_and_small_counts_show(tmp_path):
    _, page = _rendered(tmp_path, festival_summary())
    tree = lxml_html.fromstring(page.dom)
    chart = tree.get_element_by_id("chart-receipts").text_content()
    for label in ("2 申报 declaring", "100 退单 rejected", "120 入库 accepted", "399 审结 cleared",
                  "800 放行 released", "500 查验 inspection", "300 人工审核 manual review"):
        assert label in chart
    assert "18" in chart and "9,000" in chart  # 18 rejections beside 9,000 acceptances, both labelled
    table = {row[0].text_content(): row[3].text_content()
             for row in tree.get_element_by_id("receipts").findall(".//tr")[1:]}
    assert table["100"] == "18" and table["120"] == "9,000"


def test_a_drill_report_has_its_own_table_and_marks_its_steps(tmp_path):
    summary = drill_summary()
    _, page = _rendered(tmp_path, summary)
    assert page.console_errors == []
    tree = lxml_html.fromstring(page.dom)
    with pytest.raises(KeyError):
        tree.get_element_by_id("gates")  # the drill has no gates: no empty table
    rows = {row[0].text_content(): [c.text_content() for c in row[1:]]
            for row in tree.get_element_by_id("drill").findall(".//tr")[1:]}
    assert rows["page received"] == ["19.8 s", "3 min 18 s", "2 min 20 s", "yes (budget 4 min)"]
    assert rows["fault on"][2] == "2 min" and FAULT[0] == 120
    assert tree.get_element_by_id("drill-result").text_content() == "Paged within budget."
    spec = json.loads(tree.get_element_by_id("series-data").text)
    assert [m["label"] for m in spec["markers"]][:4] == ["fault on", "alert pending", "alert firing", "page received"]
    assert spec["markers"][0]["t"] == FAULT[0]


def test_the_page_as_a_person_sees_it(tmp_path):
    """A screenshot: look at it when changing the page (it is kept with pytest's tmp files)."""
    page = tmp_path / "report.html"
    page.write_text(render_html(festival_summary()), encoding="utf-8")
    png = screenshot(page, tmp_path / "report.png")
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (1100, 4200)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 500  # drawn charts and text, not a blank or an error page


def test_the_inlined_uplot_is_the_release_its_readme_names():
    import hashlib
    from pathlib import Path

    import reports

    folder = Path(reports.__file__).parent / "templates" / "vendor" / "uplot"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name in ("uPlot.iife.min.js", "uPlot.min.css", "LICENSE"):
        assert f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}" in readme
    assert "(v1.6.32)" in (folder / "uPlot.iife.min.js").read_text(encoding="utf-8")[:80]


def test_a_viewer_that_blocks_scripts_still_shows_the_tables_and_says_why_charts_are_missing(tmp_path):
    page = tmp_path / "report.html"
    blocked = "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\">"
    page.write_text(render_html(festival_summary()).replace("<head>", "<head>" + blocked), encoding="utf-8")
    tree = lxml_html.fromstring(render(page).dom)
    note = tree.get_element_by_id("chart-ratios").text_content()
    assert "drawn by the page's own inline" in note and "the tables" in note
    assert tree.get_element_by_id("chart-receipts").find(".//svg") is not None  # SVG needs no script
    assert len(tree.get_element_by_id("gates").findall(".//tr")) == 9


def test_a_summary_without_gate_terms_or_clock_still_renders(tmp_path):
    """summary.json written before gates kept their terms and the summary its clock: no thresholds
    drawn, no second time axis, everything else as usual."""
    run = festival_summary()
    older = run.model_copy(update={"clock": None, "gates": [g.model_copy(update={"gate": None}) for g in run.gates]})
    text, page = _rendered(tmp_path, older)
    assert page.console_errors == [] and 'data-drawn="6"' in page.dom
    rows = lxml_html.fromstring(page.dom).get_element_by_id("gates").findall(".//tr")
    assert [c.text_content().strip() for c in rows[2]][:3] == ["error_ratio < 0.001", "0.001", "0.0618"]
    assert 'id="clock"' not in text
