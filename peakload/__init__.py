"""peakload's command line: wires scenarios, the load generator, the mock platform and reports."""
