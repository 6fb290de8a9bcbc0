"""The folders a DXP client reads and writes: on this host, or on another reached over SFTP.

A file appears to its reader whole or not at all: it is written under a hidden temporary name in the
same folder, flushed, then renamed (a rename within one file system is atomic, locally and through
an SFTP server's rename). A writer killed mid-write leaves only a hidden `.tmp` file, which readers
skip.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import gevent
import paramiko

from targets.profile import Folders

TEMPORARY_SUFFIX = ".tmp"


def is_visible(name: str) -> bool:
    """Whether a reader should see `name` (not a writer's temporary file)."""
    return name.endswith(".xml") and not name.startswith(".")


def temporary_name(name: str) -> str:
    return f".{name}{TEMPORARY_SUFFIX}"


class Folder(Protocol):
    """One folder of XML files."""

    def write_atomic(self, name: str, data: bytes) -> None: ...
    def names(self) -> list[str]: ...
    def read(self, name: str, max_bytes: int) -> bytes: ...
    def remove(self, name: str) -> None: ...
    def rename(self, name: str, new_name: str) -> None: ...
    def close(self) -> None: ...


class LocalFolder:
    """A folder on this host. File system calls block the calling thread (an fsync for tens of
    milliseconds on a busy disk), so each runs in gevent's thread pool: the dispatcher's schedule
    never waits for a disk."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._pool = gevent.get_hub().threadpool

    def write_atomic(self, name: str, data: bytes) -> None:
        self._pool.apply(_write_atomic, (self.path, name, data))

    def names(self) -> list[str]:
        return [name for name in self._pool.apply(os.listdir, (self.path,)) if is_visible(name)]

    def read(self, name: str, max_bytes: int) -> bytes:
        return self._pool.apply(_read, (self.path / name, max_bytes + 1))

    def remove(self, name: str) -> None:
        self._pool.apply((self.path / name).unlink, (), {"missing_ok": True})

    def rename(self, name: str, new_name: str) -> None:
        self._pool.apply(os.replace, (self.path / name, self.path / new_name))

    def close(self) -> None:
        """Nothing to release."""


def _write_atomic(folder: Path, name: str, data: bytes) -> None:
    temporary = folder / temporary_name(name)
    with open(temporary, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, folder / name)


def _read(path: Path, size: int) -> bytes:
    with open(path, "rb") as file:
        return file.read(size)


class SftpFolder:
    """A folder on an SSH server, through one SFTP session. The server's host key must be known
    (`known_hosts_file`, or the user's known hosts): an unknown host is refused, never trusted."""

    def __init__(self, sftp: paramiko.SFTPClient, path: str) -> None:
        self._sftp = sftp
        self.path = path.rstrip("/") or "/"
        try:
            self._sftp.stat(self.path)
        except FileNotFoundError:
            self._sftp.mkdir(self.path)

    def _at(self, name: str) -> str:
        return f"{self.path}/{name}"

    def write_atomic(self, name: str, data: bytes) -> None:
        temporary = self._at(temporary_name(name))
        with self._sftp.open(temporary, "wb") as file:
            file.write(data)
        self._sftp.posix_rename(temporary, self._at(name))

    def names(self) -> list[str]:
        return [entry.filename for entry in self._sftp.listdir_attr(self.path)
                if is_visible(entry.filename) and stat.S_ISREG(entry.st_mode or 0)]

    def read(self, name: str, max_bytes: int) -> bytes:
        with self._sftp.open(self._at(name), "rb") as file:
            return file.read(max_bytes + 1)

    def remove(self, name: str) -> None:
        try:
            self._sftp.remove(self._at(name))
        except FileNotFoundError:
            pass

    def rename(self, name: str, new_name: str) -> None:
        self._sftp.posix_rename(self._at(name), self._at(new_name))

    def close(self) -> None:
        self._sftp.close()


def open_sftp(folders: Folders, timeout_s: float) -> tuple[paramiko.SSHClient, str]:
    """A connected SSH client for `folders.root` (`sftp://user@host:port/path`) and the path."""
    parts = urlsplit(folders.root)
    if not parts.hostname or not parts.username:
        raise ValueError(f"folders.root {folders.root!r}: an SFTP root is sftp://user@host[:port]/path")
    client = paramiko.SSHClient()
    if folders.known_hosts_file is not None:
        client.load_host_keys(str(folders.known_hosts_file))
    else:
        client.load_system_host_keys()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    secret = os.environ.get(folders.password_env) if folders.password_env else None
    client.connect(parts.hostname, port=parts.port or 22, username=unquote(parts.username),
                   key_filename=str(folders.private_key_file) if folders.private_key_file else None,
                   password=secret, passphrase=secret, timeout=timeout_s, banner_timeout=timeout_s,
                   auth_timeout=timeout_s, allow_agent=False, look_for_keys=False)
    return client, parts.path or "/"
