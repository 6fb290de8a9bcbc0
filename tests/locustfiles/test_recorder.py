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
