import pytest

from reports.pacing import window_errors


def test_window_errors_compare_sent_with_due_per_full_window():
    intended = [10] * 25
    sent = [10] * 10 + [9] * 10 + [10] * 5
    assert window_errors(intended, sent) == [0.0, pytest.approx(0.1)]  # the last 5 s are no window


def test_windows_with_nothing_due_are_skipped():
    assert window_errors([0] * 10 + [5] * 10, [0] * 10 + [5] * 10) == [0.0]
