from ceb.types import MessageType
from locustfiles.recorder import Recorder
from locustfiles.schedule import SendJob


def job(intended_s: float) -> SendJob:
    return SendJob(intended_s, MessageType.PAYMENT, b"<x/>", 1, "G", None)


def test_latency_steps_cover_only_finished_steps_and_use_corrected_latency():
    recorder = Recorder(late_s=0.1, timeline_step_s=2)
    recorder.response(job(0.0), sent_s=0.5, done_s=0.51, status=202, error=None)  # 510 ms corrected
    recorder.response(job(2.0), sent_s=2.0, done_s=2.004, status=202, error=None)
    recorder.response(job(4.0), sent_s=4.0, done_s=4.004, status=429, error="busy")
    steps = recorder.latency_steps(until_s=4)
    assert [s.start_s for s in steps] == [0, 2]  # the step starting at 4 s is not over
    assert 505 <= steps[0].p99 <= 515 and steps[1].p99 < 5
    assert recorder.late == 1 and dict(recorder.throttled_per_second) == {4: 1}


def test_a_buffered_histogram_equals_one_recorded_value_by_value():
    import random

    from locustfiles.histograms import BufferedHistogram
    from locustfiles.results import new_histogram, new_window_histogram
    rng = random.Random(3)
    values = [max(1, int(rng.lognormvariate(8, 2))) for _ in range(20000)] + [1, 2047, 2048, 2049, 3_599_999_999]
    for make in (new_histogram, new_window_histogram):
        direct, buffered = make(), BufferedHistogram(make())
        for v in values:
            direct.record_value(v)
            buffered.record(v)
        assert buffered.histogram.encode() == direct.encode()
        assert [buffered.histogram.get_value_at_percentile(q) for q in (50, 99, 100)] == \
            [direct.get_value_at_percentile(q) for q in (50, 99, 100)]
