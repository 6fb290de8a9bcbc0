"""Every library scenario validates, cites its figures and plots; the CLI shows them."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from reports.curve_plot import curve_figure, plot_curve
from scenarios.figures import busiest_hour, figures, sampled_curve
from scenarios.loader import library_names, load, resolve

REQUIRED = {"double11-2018", "double11-two-wave", "618-2022", "national-618-2024-peak", "smoke",
            "spike", "soak", "double11-smoke", "double11-midnight-hour", "618-peak-hour"}
DOCS = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text(encoding="utf-8")


def test_the_library_has_every_scenario_the_brief_names():
    assert REQUIRED <= set(library_names())


@pytest.mark.parametrize("name", library_names())
def test_scenario_validates_cites_its_figures_and_plots(name, tmp_path):
    scenario = load(name)
    text = resolve(name).read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert header.startswith(f"# {name}:")
    assert "DOMAIN" not in header and f"`{name}`" in DOCS  # figures cited in the project's own docs
    if "Figures" in header:
        assert "docs/scenarios.md" in header
    f = figures(scenario)
    assert f.peak_orders_per_s > 0 and f.orders_sent > 0
    image = plot_curve(scenario, tmp_path / f"{name}.png")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_national_peak_is_85000_lists_a_minute():
    assert figures(load("national-618-2024-peak")).peak_orders_per_s * 60 == pytest.approx(85_000, rel=0.001)


@pytest.mark.parametrize("name, peak, minutes", [("double11-midnight-hour", 150, 10), ("618-peak-hour", 90, 17)])
def test_sustained_peak_scenarios_hold_their_peak_for_minutes_in_real_time(name, peak, minutes):
    f = figures(load(name))
    assert f.compression == 1 and f.peak_orders_per_s == pytest.approx(peak)
    assert f.near_peak_wall_s >= minutes * 60
    assert 190_000 < f.orders_sent < 215_000  # about half an 8x day in the first hour, as documented
    assert f.start.strftime("%H:%M") == "23:55" and f.end.strftime("%H:%M") == "01:00"


def test_double11_2018_replays_in_under_five_minutes():
    scenario = load("double11-2018")
    assert scenario.clock.run_duration_s + scenario.generator.drain_s < 300


def test_cli_lists_shows_and_plots(tmp_path):
    def peakload(*args):
        return subprocess.run([sys.executable, "-m", "peakload", "scenarios", *args],
                              capture_output=True, text=True, check=False)

    listed = peakload("list")
    assert listed.returncode == 0 and "double11-2018" in listed.stdout
    shown = peakload("show", "spike")
    assert "peak: 200.0 orders/s" in shown.stdout
    out = tmp_path / "curve.svg"
    assert peakload("plot", "smoke", "--out", str(out)).returncode == 0
    assert out.read_text().lstrip().startswith("<?xml")
    assert peakload("show", "no-such-scenario").returncode == 64


@pytest.mark.parametrize("name", library_names())
def test_the_drawn_curve_reaches_the_stated_peak(name):
    scenario = load(name)
    drawn = max(rate for _, rate in sampled_curve(scenario))
    assert drawn == pytest.approx(figures(scenario).peak_orders_per_s, rel=1e-9)


def test_a_long_festival_gets_a_panel_on_its_busiest_hour():
    festival = load("618-2022")
    start_s, end_s = busiest_hour(festival)
    hour_start = festival.clock.start + dt.timedelta(seconds=start_s)
    assert end_s - start_s == 3600 and hour_start.strftime("%m-%d %H") == "06-18 00"  # June 18 midnight
    assert max(rate for _, rate in sampled_curve(festival, 50, (start_s, end_s))) == pytest.approx(90)
    assert len(curve_figure(festival).axes) == 2 and len(curve_figure(load("double11-2018")).axes) == 1
