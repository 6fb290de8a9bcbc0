"""Signing each message the way the target profile says: with a local key, or by a signing service.

Keys and passwords are read once when the generator starts (passwords from the environment variable
the profile names); nothing secret is kept anywhere else or written out.
"""

from __future__ import annotations

import os
from typing import Protocol

from ceb.signing import RemoteSigner, load_signing_key, sign_message
from targets.profile import ProfileError, Signing


class MessageSigner(Protocol):
    def sign(self, xml: bytes) -> bytes:
        """`xml` with its enveloped signature."""


class LocalKeySigner:
    """Signs with a private key held in this process."""

    def __init__(self, signing: Signing) -> None:
        assert signing.key_file is not None  # the profile's validation requires a key or a service
        password = None
        if signing.password_env is not None:
            if signing.password_env not in os.environ:
                raise ProfileError(f"signing.password_env: environment variable {signing.password_env} is not set")
            password = os.environ[signing.password_env].encode()
        self._key = load_signing_key(signing.algorithm, signing.key_file,
                                     signing.certificate_file, password)

    def sign(self, xml: bytes) -> bytes:
        return sign_message(xml, self._key)


def signer_for(signing: Signing | None) -> MessageSigner | None:
    """The signer a profile's `signing` section asks for (None: messages go unsigned)."""
    if signing is None:
        return None
    if signing.remote is not None:
        return RemoteSigner(signing.remote.url, signing.remote.timeout_s)
    return LocalKeySigner(signing)
