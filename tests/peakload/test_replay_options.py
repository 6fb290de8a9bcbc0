"""`peakload run` and `peakload scenarios show` with the time and scale options."""

import json

import yaml
from typer.testing import CliRunner

from peakload.cli import app
from peakload.formatting import duration
from scenarios.figures import figures
from scenarios.loader import load
from scenarios.model import Scenario
from tests.cli import trusted_run


def show(*args):
    return CliRunner().invoke(app, ["scenarios", "show", *args])


def test_a_run_replays_the_stretch_and_scale_it_was_given(tmp_path):
    # smoke: 30 s at 5 orders/s from 10:00:00; 10 s of it, twice the rate, twice as fast.
    done = trusted_run("smoke", "--window", "10:00:10..10:00:20", "--rate-scale", "2", "--compression", "2",
                       "--quiet", out=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    replayed = Scenario.model_validate(yaml.safe_load((tmp_path / "scenario.yaml").read_text()))
    assert replayed.clock.start.strftime("%H:%M:%S") == "10:00:10" and replayed.clock.compression == 2
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert abs(summary["orders_intended"] - 50) <= 1 and summary["orders_sent"] == summary["orders_intended"]
    assert summary["figures"]["real_duration_s"] == 10 and summary["figures"]["run_duration_s"] == 5
    assert summary["clock"]["start"] == "2018-11-11T10:00:10+08:00"


def test_a_run_without_the_options_reads_the_scenario_s_own_file(tmp_path, monkeypatch):
    requests = []
    monkeypatch.setattr("peakload.commands.run.run_scenario", lambda request, *a: requests.append(request) or 1 / 0)
    CliRunner().invoke(app, ["run", "smoke", "--out", str(tmp_path), "--quiet"])
    assert requests[0].scenario_path.name == "smoke.yaml" and not (tmp_path / "scenario.yaml").exists()


def test_run_refuses_options_that_do_not_fit_the_scenario(tmp_path):
    done = CliRunner().invoke(app, ["run", "smoke", "--window", "09:00..09:10", "--out", str(tmp_path)])
    assert done.exit_code == 64 and "is not inside the scenario" in done.output
    both = CliRunner().invoke(app, ["run", "smoke", "--rate-scale", "2", "--forecast-peak", "9", "--out", str(tmp_path)])
    assert both.exit_code == 64 and "not both" in both.output


def test_show_json_gives_the_figures_and_orders_per_minute_for_scripts():
    plain = json.loads(show("double11-midnight-hour", "--window", "00:00..00:10", "--json").stdout)
    doubled = json.loads(show("double11-midnight-hour", "--window", "00:00..00:10", "--rate-scale", "2",
                              "--json").stdout)
    assert plain["start"] == "2018-11-11T00:00:00+08:00" and plain["run_duration_s"] == 600
    per_minute = plain["orders_per_minute"]
    assert len(per_minute) == 10 and per_minute[1:] == [9000.0] * 9  # the plateau: 150 orders/s
    assert abs(sum(per_minute) - plain["orders_sent"]) < 0.01
    assert doubled["orders_per_minute"] == [2 * n for n in per_minute]
    assert plain["near_peak_wall_s"] > 540 and plain["near_peak_share"] == 0.9


def test_show_states_what_the_replay_really_is():
    compressed = figures(load("double11-2018"))
    text = " ".join(show("double11-2018", "--compression", "1").stdout.split())
    assert "replayed in: 7h (compression 1x)" in text and "Replayed with --compression 1." in text
    # Real time: the peak lasts 120 times longer on the wall clock than in the file's 120x replay.
    assert f"at or above 90% of the peak for: {duration(120 * compressed.near_peak_wall_s)} of wall time" in text
    assert f"sent by the replay: {compressed.orders_real:,.0f}" in text
