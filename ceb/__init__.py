"""The CEB message standard (跨境电商 customs declaration messages): the protocol peakload's load
generator speaks and its mock platform serves. Pure data and codec; no I/O beyond bytes."""
