"""The on-call receiver: an Alertmanager webhook that records pages, acknowledgements and
resolutions, and escalates a page nobody acknowledged within its response target."""
