import random

import pytest

from scenarios.curves import (arrival_times, compile_curve, integrate, orders_between, peak_rate, rate_at,
                              seconds_at_or_above)
from scenarios.segments import ExpDecay, Hold, Ramp, Spike, Step, PlacedSegment


def curve(*segments):
    return compile_curve([PlacedSegment(s) for s in segments])


def test_segments_start_where_the_previous_one_ended():
    c = curve(Hold(kind="hold", duration="10s", rate=4), Ramp(kind="ramp", duration="10s", to=14),
              Hold(kind="hold", duration="5s"))
    assert rate_at(c, 5) == 4
    assert rate_at(c, 15) == pytest.approx(9)
    assert rate_at(c, 22) == pytest.approx(14)
    assert rate_at(c, 25) == 0


def test_spike_rises_then_halves_every_half_life():
    c = curve(Step(kind="step", duration="1m", to=10),
              Spike(kind="spike", duration="1h", peak=100, floor=0, rise="10s", half_life="5m"))
    assert rate_at(c, 60 + 5) == pytest.approx(55)
    assert rate_at(c, 60 + 10) == pytest.approx(100)
    assert rate_at(c, 60 + 10 + 300) == pytest.approx(50)
    assert peak_rate(c) == pytest.approx(100, rel=0.01)


def test_exp_decay_approaches_its_target():
    c = curve(Hold(kind="hold", duration="1s", rate=80), ExpDecay(kind="exp_decay", duration="1h",
                                                                  to=20, half_life="10m"))
    assert rate_at(c, 1 + 600) == pytest.approx(50)


def test_integral_of_a_ramp():
    c = curve(Ramp(kind="ramp", duration="100s", to=10))
    assert integrate(c) == pytest.approx(500, rel=1e-12)


def test_closed_form_orders_match_a_fine_numeric_integral_for_every_kind():
    c = curve(Hold(kind="hold", duration="30s", rate=3), Ramp(kind="ramp", duration="40s", to=20),
              Spike(kind="spike", duration="5m", peak=90, floor=5, rise="17s", half_life="40s"),
              ExpDecay(kind="exp_decay", duration="2m", to=50, half_life="30s"),
              Ramp(kind="ramp", duration="20s", to=8, **{"from": 30}), Step(kind="step", duration="10s", to=4),
              ExpDecay(kind="exp_decay", duration="1m", to=1, half_life="10s", **{"from": 60}))
    for a, b in ((0, 600), (12.5, 77.7), (65, 400), (500, 600)):
        n = 200_000
        numeric = sum(rate_at(c, a + (i + 0.5) * (b - a) / n) for i in range(n)) * (b - a) / n
        assert orders_between(c, a, b) == pytest.approx(numeric, rel=1e-5)  # the jumps cost the sum that much


def test_the_peak_is_exact_wherever_it_falls():
    c = curve(Hold(kind="hold", duration="10s", rate=1),
              Spike(kind="spike", duration="10m", peak=123.4, rise="7.3s", half_life="1m"))
    assert peak_rate(c) == pytest.approx(123.4, rel=1e-12)
    assert peak_rate(curve(Ramp(kind="ramp", duration="9.7s", to=77.7))) == pytest.approx(77.7, rel=1e-12)


def test_time_at_or_above_a_level():
    c = curve(Hold(kind="hold", duration="30s", rate=10), Step(kind="step", duration="30s", to=200),
              Ramp(kind="ramp", duration="100s", to=0))
    # 30 s at 200, then the ramp down stays at or above 180 for its first 10 s.
    assert seconds_at_or_above(c, 180) == pytest.approx(40, abs=0.01)
    assert seconds_at_or_above(c, 0) == pytest.approx(160)


def test_uniform_pacing_delivers_the_integral_evenly():
    c = curve(Hold(kind="hold", duration="10s", rate=50))
    times = list(arrival_times(c, compression=1))
    assert len(times) == 500
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert max(gaps) == pytest.approx(0.02, abs=1e-6) and min(gaps) == pytest.approx(0.02, abs=1e-6)


def test_compression_shortens_time_and_keeps_rates():
    c = curve(Hold(kind="hold", duration="10m", rate=5))
    times = list(arrival_times(c, compression=60))
    assert times[-1] < 10 and len(times) == 50
    assert len([t for t in times if t < 5]) == pytest.approx(25, abs=1)


def test_poisson_pacing_is_seeded_and_near_the_mean():
    c = curve(Hold(kind="hold", duration="100s", rate=20))
    a = list(arrival_times(c, 1, poisson=True, rng=random.Random(1)))
    b = list(arrival_times(c, 1, poisson=True, rng=random.Random(1)))
    assert a == b
    assert 1800 < len(a) < 2200
    assert a != list(arrival_times(c, 1))
