"""The transport, TLS and signature options of `peakload mock`, checked before anything is served."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from ceb.signing import SigningError
from ceb.types import TransportKind
from mock_platform.signatures import SignatureCheck
from mock_platform.tls import TlsFiles

TRANSPORT_NAMES = ", ".join(kind.value for kind in TransportKind)

TransportOption = Annotated[str, typer.Option(
    metavar="NAMES", help=f"Transports to serve, comma-separated ({TRANSPORT_NAMES}): ceb-http is this project's HTTP "
    "contract, eport the e-port report channel (POST /cebcmsg, GET /ceb312msg ...), dxp-folder DxpMsg "
    "files under --dxp-root.")]
DxpRootOption = Annotated[Path | None, typer.Option(
    help="The dxp-folder transport's folder: messages are taken from its send/, receipts written to its "
    "receive/, refused files moved to its error/.", file_okay=False)]
TlsCertOption = Annotated[Path | None, typer.Option(help="Serve HTTPS with this certificate (PEM chain).")]
TlsKeyOption = Annotated[Path | None, typer.Option(help="The private key of --tls-cert (PEM).")]
TlsClientCaOption = Annotated[Path | None, typer.Option(
    help="Require client certificates issued by this CA (mutual TLS).")]
TrustOption = Annotated[list[Path] | None, typer.Option(
    metavar="CERT", help="Accept only messages signed by this certificate, or by one this CA certificate issued "
    "(repeatable; PEM or DER). Without it, signatures are not checked.")]


class TransportOptionError(ValueError):
    """Transport, TLS or trust options that cannot be served (the message says which and why)."""


def transport_settings(transport: str, dxp_root: Path | None, tls_cert: Path | None, tls_key: Path | None,
                       tls_client_ca: Path | None, trust: list[Path] | None) -> dict[str, Any]:
    """The `Settings` fields these options give; TransportOptionError naming the option at fault."""
    names = [name.strip() for name in transport.split(",") if name.strip()]
    unknown = sorted(set(names) - {kind.value for kind in TransportKind})
    if unknown or not names:
        raise TransportOptionError(f"--transport {transport!r}: choose from {TRANSPORT_NAMES}")
    kinds = frozenset(TransportKind(name) for name in names)
    if (TransportKind.DXP_FOLDER in kinds) != (dxp_root is not None):
        raise TransportOptionError("--dxp-root is needed with --transport dxp-folder, and only with it")
    if (tls_cert is None) != (tls_key is None) or (tls_client_ca is not None and tls_cert is None):
        raise TransportOptionError("--tls-cert and --tls-key go together (and --tls-client-ca needs them)")
    tls = None
    if tls_cert is not None:
        try:
            tls = TlsFiles(cert=tls_cert, key=tls_key, client_ca=tls_client_ca)
        except ValidationError as exc:
            raise TransportOptionError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
    trusted = tuple(trust or ())
    try:
        SignatureCheck.from_files(trusted)
    except SigningError as exc:
        raise TransportOptionError(f"--trust: {exc}") from None
    return {"transports": kinds, "dxp_root": dxp_root, "tls": tls, "trust": trusted}
