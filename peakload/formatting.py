"""Small formatting helpers shared by the commands' output."""

from __future__ import annotations


def duration(seconds: float) -> str:
    """A duration as `3d4h`, `12m30s` or `45s`."""
    days, rest = divmod(int(round(seconds)), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else "",
             f"{secs}s" if secs or not (days or hours or minutes) else ""]
    return "".join(parts)
