"""Serving the mock platform over TLS (`peakload mock --tls-cert FILE --tls-key FILE`), and mutual
TLS with `--tls-client-ca FILE`: a client must then present a certificate that CA issued.

The files are loaded once when the settings are built, so a wrong path, a key that does not match
its certificate or a CA file without a certificate is one clear error before serving, not a
failure at the first connection.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class TlsError(ValueError):
    """TLS files that cannot be used (the message names the file and why)."""


class TlsFiles(BaseModel):
    """The server's certificate chain and key, and the CA its clients' certificates must come from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cert: Path
    key: Path
    client_ca: Path | None = None  # None: clients are not asked for a certificate

    @model_validator(mode="after")
    def _usable(self) -> TlsFiles:
        self.context()
        return self

    def context(self) -> ssl.SSLContext:
        """A server context with these files (what uvicorn builds from `uvicorn_options`)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        for path in (self.cert, self.key, self.client_ca):
            if path is not None and not path.is_file():
                raise TlsError(f"TLS file {path} does not exist or is not a file")
        try:
            context.load_cert_chain(self.cert, self.key)
        except (ssl.SSLError, OSError) as exc:
            raise TlsError(f"cannot use the certificate {self.cert} with the key {self.key}: {exc}") from None
        if self.client_ca is not None:
            try:
                context.load_verify_locations(cafile=self.client_ca)
            except (ssl.SSLError, OSError) as exc:
                raise TlsError(f"cannot read CA certificates from {self.client_ca}: {exc}") from None
            context.verify_mode = ssl.CERT_REQUIRED
        return context

    def uvicorn_options(self) -> dict[str, Any]:
        """The `uvicorn.Config` keyword arguments that serve with these files."""
        options: dict[str, Any] = {"ssl_certfile": str(self.cert), "ssl_keyfile": str(self.key)}
        if self.client_ca is not None:
            options |= {"ssl_ca_certs": str(self.client_ca), "ssl_cert_reqs": ssl.CERT_REQUIRED}
        return options
