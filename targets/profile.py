"""A target profile: how peakload reaches one platform (transport, addresses, receipts, signing,
TLS, auth headers, health probe), validated when loaded. Relative paths in it (keys, certificates,
folders) are read from the current folder, as paths on the command line are.

Secrets never sit in a profile: a password or token is named by the environment variable that holds
it (`*_env` keys, `headers` values), and is read only where it is used.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, field_validator, model_validator

from ceb.signing import SignatureAlgorithm
from ceb.types import TransportKind

from scenarios.fields import Model, PositiveSeconds
from scenarios.model import Scenario

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_DXP_ID = re.compile(r"^[A-Z0-9]{1,16}$")

EnvName = Annotated[str, Field(pattern=_ENV_NAME.pattern, max_length=100)]
RUN_HEADER = "X-Peakload-Run"  # every HTTP request of a run carries its tag: a platform can route test traffic on it
# A host name or IP address as a URL's host is read (lower case, an IPv6 address without brackets).
HostName = Annotated[str, Field(pattern=r"^\[?[A-Za-z0-9:][A-Za-z0-9.:-]{0,252}\]?$"),
                     AfterValidator(lambda host: host.lower().strip("[]"))]


class TlsSettings(Model):
    """TLS towards an https target: the server's certificate is verified unless `verify` is off."""

    verify: bool = True
    ca_bundle: Path | None = None  # the CA(s) that issued the platform's certificate
    client_certificate: Path | None = None  # for mutual TLS (PEM; may hold the key too)
    client_key: Path | None = None
    client_key_password_env: EnvName | None = None

    @model_validator(mode="after")
    def _key_needs_certificate(self) -> TlsSettings:
        if self.client_key is not None and self.client_certificate is None:
            raise ValueError("client_key needs client_certificate")
        return self


class ReceiptPolling(Model):
    """How the receipt consumer reads the platform's feed: politely, and never without bound."""

    interval_s: PositiveSeconds = 1.0  # between polls of the feed
    page_size: int = Field(1000, ge=1, le=10_000)  # receipts asked for per request
    max_pages_per_poll: int = Field(20, ge=1, le=1000)  # a poll stops after this many pages
    requests_per_s: float = Field(20.0, gt=0, le=1000)  # a budget across every receipt request
    max_backoff_s: PositiveSeconds = 30.0  # the longest pause after a misbehaving answer
    eport_overlap_s: float = Field(15.0, ge=0, le=3600)  # eport: ask again from this long before the last record


class RemoteSigning(Model):
    """A signing service (a server-class crypto device behind HTTP) that signs each message."""

    url: str
    timeout_s: PositiveSeconds = 15.0


class Signing(Model):
    """The enveloped XML signature every message carries."""

    algorithm: SignatureAlgorithm = SignatureAlgorithm.SM2_SM3
    key_file: Path | None = None  # PEM private key, or a PKCS#12 file holding key and certificate
    certificate_file: Path | None = None  # PEM or DER; omit for PKCS#12
    password_env: EnvName | None = None  # where the key's password is, if it has one
    remote: RemoteSigning | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Signing:
        if (self.key_file is None) == (self.remote is None):
            raise ValueError("give either key_file (a local key) or remote (a signing service), not both or neither")
        return self


class Folders(Model):
    """A DXP client's folders: a local path, or one reached over SFTP (`sftp://user@host:port/path`)."""

    root: str
    send: str = "send"
    receive: str = "receive"
    pickup_timeout_s: PositiveSeconds = 60.0  # a file not taken within this is reported as not delivered
    scan_interval_s: PositiveSeconds = 0.05  # how often the outbox is listed to see files taken
    known_hosts_file: Path | None = None  # SFTP: the server's host key must be in it
    private_key_file: Path | None = None  # SFTP: the client's key
    password_env: EnvName | None = None  # SFTP: a password, or the private key's passphrase

    @property
    def is_sftp(self) -> bool:
        return self.root.startswith("sftp://")


class HealthProbe(Model):
    """A GET that must answer 2xx before load starts (a real platform usually has none)."""

    path: str = Field(pattern=r"^/[\x21-\x7e]*$", max_length=200)


class TargetProfile(Model):
    """One platform and how to reach it."""

    name: str = Field(pattern=r"^[a-z0-9._-]{1,64}$")
    transport: TransportKind = TransportKind.CEB_HTTP
    url: str | None = None  # ceb-http and eport: the platform's base URL
    dxp_id: str | None = None  # the enterprise's DXP id (DXPENT...): eport and dxp-folder senders
    envelope: bool = False  # ceb-http: wrap each message in a DxpMsg envelope
    folders: Folders | None = None
    receipts: ReceiptPolling = ReceiptPolling()
    signing: Signing | None = None
    tls: TlsSettings = TlsSettings()
    headers: dict[str, EnvName] = Field(default_factory=dict)  # header name -> environment variable
    health: HealthProbe | None = None
    id_tag: str = Field("", pattern=r"^[A-Z0-9]{0,3}$")
    request_timeout_s: PositiveSeconds = 10.0  # per request: a silent target holds a sender no longer
    # The hard cap agreed with the operator, across every generator process and worker of a run.
    max_rate: float | None = Field(None, gt=0, le=1_000_000)  # messages a second, over any 1 s
    max_messages: int | None = Field(None, ge=1)  # messages a run
    allowed_hosts: list[HostName] | None = None  # every host the profile reaches must be one of these
    store_only: bool = False  # appStatus 1 (暂存): intake only, nothing declared to customs
    identities: Path | None = None  # the operator's test buyers (CSV: name,id_type,id_number,telephone)
    synthetic_identities: bool = False  # synthetic buyer ID numbers may go to a host that is not loopback

    @field_validator("headers")
    @classmethod
    def _header_names(cls, headers: dict[str, str]) -> dict[str, str]:
        for name in headers:
            if not _HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not an HTTP header name")
        return headers

    @field_validator("dxp_id")
    @classmethod
    def _dxp_id(cls, value: str | None) -> str | None:
        if value is not None and not _DXP_ID.match(value):
            raise ValueError("a DXP id is up to 16 of A-Z and 0-9 (e.g. DXPENT0000012345)")
        return value

    @model_validator(mode="after")
    def _transport_needs(self) -> TargetProfile:
        needs: dict[TransportKind, tuple[str, ...]] = {
            TransportKind.CEB_HTTP: ("url",), TransportKind.EPORT: ("url", "dxp_id"),
            TransportKind.DXP_FOLDER: ("folders", "dxp_id")}
        missing = [key for key in needs[self.transport] if getattr(self, key) is None]
        if missing:
            raise ValueError(f"transport {self.transport.value} needs {', '.join(missing)}")
        if self.url is not None and not re.match(r"^https?://[^\s/]+(/[^\s]*)?$", self.url):
            raise ValueError(f"url {self.url!r} is not an http(s) URL")
        return self

    @model_validator(mode="after")
    def _one_source_of_buyers(self) -> TargetProfile:
        if self.identities is not None and self.synthetic_identities:
            raise ValueError("give identities (the operator's test buyers) or synthetic_identities, not both")
        return self

    @model_validator(mode="after")
    def _hosts_allowed(self) -> TargetProfile:
        if self.allowed_hosts is None:
            return self
        remote = self.signing.remote.url if self.signing is not None and self.signing.remote is not None else None
        for host in [*self.target_hosts, *_hosts_of(remote)]:
            if host not in self.allowed_hosts:
                raise ValueError(f"host {host} is not in allowed_hosts ({', '.join(self.allowed_hosts)})")
        return self

    @property
    def target_hosts(self) -> list[str]:
        """The hosts load goes to: the platform's URL's, and an SFTP server's."""
        return _hosts_of(self.url, self.folders.root if self.folders is not None else None)

    def tagged(self, scenario: Scenario) -> Scenario:
        """The scenario with this profile's id_tag, unless it (or the command line) gives one: the
        rule the generator, the dry run and the cap check share."""
        return scenario.with_id_tag(self.id_tag) if self.id_tag and not scenario.generator.id_tag else scenario

    def header_values(self, environ: dict[str, str] | None = None) -> dict[str, str]:
        """The extra headers with their values read from the environment (never logged)."""
        environ = os.environ if environ is None else environ
        missing = [env for env in self.headers.values() if env not in environ]
        if missing:
            raise ProfileError(f"profile {self.name}: environment variable(s) {', '.join(missing)} not set "
                               "(headers take their values from the environment)")
        return {name: environ[env] for name, env in self.headers.items()}


def _hosts_of(*locations: str | None) -> list[str]:
    return [urlsplit(location).hostname or "" for location in locations if location and "://" in location]


class ProfileError(ValueError):
    """A profile that cannot be used."""
