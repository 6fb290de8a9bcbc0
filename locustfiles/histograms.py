"""HdrHistograms with a cheap hot path: the `hdrh` package records in pure Python (a few
microseconds a value, several values a request). A `BufferedHistogram` counts each value under the
lowest value its histogram bucket holds (a dict increment) and folds the counts in, one
`record_value(value, count)` per distinct bucket, when the histogram is read: the same histogram,
bit for bit, for a fraction of the cost."""

from __future__ import annotations

from hdrh.histogram import HdrHistogram


class BufferedHistogram:
    """An HdrHistogram (lowest trackable value 1) fed through a bucket-count buffer."""

    __slots__ = ("_histogram", "_pending", "_bits")

    def __init__(self, histogram: HdrHistogram) -> None:
        if histogram.unit_magnitude != 0:
            raise ValueError("a buffered histogram needs a lowest trackable value of 1")
        self._histogram = histogram
        self._pending: dict[int, int] = {}
        # Values of one bucket share their top `_bits` bits: HdrHistogram's sub-bucket precision.
        self._bits = histogram.sub_bucket_half_count_magnitude + 1

    def record(self, value: int) -> None:
        """Count one value (an int >= 1)."""
        shift = value.bit_length() - self._bits
        if shift > 0:
            value = value >> shift << shift
        pending = self._pending
        pending[value] = pending.get(value, 0) + 1

    @property
    def histogram(self) -> HdrHistogram:
        """The histogram with everything recorded so far."""
        if self._pending:
            record = self._histogram.record_value
            for value, count in self._pending.items():
                record(value, count)
            self._pending.clear()
        return self._histogram
