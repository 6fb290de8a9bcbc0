"""Every library scenario validates, cites its figures and plots; the CLI shows them."""

import subprocess
import sys

import pytest

from reports.curve_plot import plot_curve
from scenarios.figures import figures
from scenarios.loader import LIBRARY, library_names, load

REQUIRED = {"double11-2018", "double11-two-wave", "618-2022", "national-618-2024-peak", "smoke",
            "spike", "soak", "double11-smoke"}


def test_the_library_has_every_scenario_the_brief_names():
    assert REQUIRED <= set(library_names())


@pytest.mark.parametrize("name", library_names())
def test_scenario_validates_cites_its_figures_and_plots(name, tmp_path):
    scenario = load(name)
    header = (LIBRARY / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith(f"# {name}:")
    f = figures(scenario)
    assert f.peak_orders_per_s > 0 and f.orders_sent > 0
    image = plot_curve(scenario, tmp_path / f"{name}.png")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_national_peak_is_85000_lists_a_minute():
    assert figures(load("national-618-2024-peak")).peak_orders_per_s * 60 == pytest.approx(85_000, rel=0.001)


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
