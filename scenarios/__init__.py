"""Declarative festival scenarios: curves, message mix, delays, bad data, compression and gates."""
