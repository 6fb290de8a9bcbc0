"""Target URLs as results, reports and logs may show them: without the credentials a URL can carry
(`https://user:password@host` is how Locust and peakload take basic auth)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# Up to the last "@" before the path: a password may hold a raw "@" (`user:pa@ss@host`).
_USERINFO = re.compile(r"(?<=://)[^/\s]*@")


def without_credentials(url: str) -> str:
    """`url` without its `user:password@` part, if it has one."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def scrubbed(text: str) -> str:
    """`text` (an error message, say) with the credentials of every URL in it removed."""
    return _USERINFO.sub("", text)
