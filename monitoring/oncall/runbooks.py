"""Runbook links from an alert's `runbook_url` annotation, and the project's runbooks as HTML.

The alert rules name runbooks by their path in this repository (`monitoring/runbooks/NAME.md`);
the receiver serves those at `/runbooks/NAME`, so a page's link works wherever the receiver runs.
An absolute http(s) URL (a wiki, say) is linked as it is. Anything else, `javascript:` included,
gets no link: annotations come from whoever can reach the webhook.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from monitoring.drills import RUNBOOKS

_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
# CommonMark with raw HTML off: a runbook is text and links, never markup of its own.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def runbook_name(annotation: str) -> str | None:
    """The project runbook an annotation names (`monitoring/runbooks/NAME.md`), if it exists."""
    path = PurePosixPath(annotation.strip())
    if path.parent != PurePosixPath("monitoring/runbooks") or path.suffix != ".md":
        return None
    return path.stem if _NAME.fullmatch(path.stem) and (RUNBOOKS / path.name).is_file() else None


def runbook_link(annotation: str) -> str | None:
    """Where a page's runbook link points: `/runbooks/NAME`, an http(s) URL, or nowhere."""
    if (name := runbook_name(annotation)) is not None:
        return f"/runbooks/{name}"
    parts = urlsplit(annotation.strip())
    if parts.scheme in ("http", "https") and parts.netloc and not any(c.isspace() for c in annotation.strip()):
        return annotation.strip()
    return None


def runbook_html(name: str) -> str | None:
    """A project runbook rendered to HTML (its raw HTML escaped), or None when there is none."""
    if not _NAME.fullmatch(name) or not (path := RUNBOOKS / f"{name}.md").is_file():
        return None
    return _MARKDOWN.render(path.read_text(encoding="utf-8"))
