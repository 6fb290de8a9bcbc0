"""Where load may go: loopback by default, a named real platform only when its user confirms it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from targets import TargetProfile


class TargetError(ValueError):
    """A target that is malformed or not allowed."""


@dataclass(frozen=True, slots=True)
class Target:
    """The platform under test: the embedded mock, or a URL."""

    url: str | None  # None: start the embedded mock platform; "" a platform reached through folders

    @property
    def is_mock(self) -> bool:
        return self.url is None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_target(value: str, confirmed_host: str | None = None) -> Target:
    """`mock`, a loopback URL, or a real platform's URL whose host the user confirmed by name."""
    if value == "mock":
        return Target(None)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"target {value!r} is neither 'mock' nor an http(s) URL")
    host = parts.hostname
    if not _is_loopback(host) and host != confirmed_host:
        raise TargetError(
            f"target host {host} is not loopback; load goes to a real platform only when you name "
            f"it again with --confirm-target {host}")
    return Target(value.rstrip("/"))


def remote_hosts(profile: TargetProfile) -> list[str]:
    """The hosts a profile sends load to that are not loopback."""
    return [host for host in profile.target_hosts if not _is_loopback(host)]


def profile_target(profile: TargetProfile, confirmed_host: str | None = None) -> Target:
    """The target a profile names, if load may go there: every host it reaches (the platform's
    URL, an SFTP server) is loopback or was confirmed by name."""
    for host in profile.target_hosts:
        if not _is_loopback(host) and host != confirmed_host:
            raise TargetError(
                f"profile {profile.name} reaches {host}, which is not loopback; load goes to a real "
                f"platform only when you name it again with --confirm-target {host}")
    return Target(profile.url.rstrip("/") if profile.url else "")
