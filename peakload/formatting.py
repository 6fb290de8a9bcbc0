"""Small formatting helpers shared by the commands' output."""

from __future__ import annotations

from rich.console import Console


def duration(seconds: float) -> str:
    """A duration as `3d4h`, `12m30s` or `45s`."""
    days, rest = divmod(int(round(seconds)), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes else "",
             f"{secs}s" if secs or not (days or hours or minutes) else ""]
    return "".join(parts)


def err_console() -> Console:
    """Messages for a person on stderr, one line each whatever the terminal's width: a terminal
    folds a long line itself, and a CI log or grep keeps it whole."""
    return Console(stderr=True, soft_wrap=True)


def out_console() -> Console:
    """Lines on stdout, one line each (see `err_console`); tables print through a plain Console."""
    return Console(soft_wrap=True)
