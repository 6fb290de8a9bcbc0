"""`peakload signing`: test credentials for rehearsals, and a check that a key signs and verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ceb.signing import SignatureAlgorithm, make_test_credentials

app = typer.Typer(no_args_is_help=True, help="Signing keys for signed runs.")


@app.command("test-key")
def test_key(
    algorithm: Annotated[SignatureAlgorithm, typer.Option(help="The signature algorithm.")] = SignatureAlgorithm.SM2_SM3,
    out: Annotated[Path, typer.Option(help="Folder for the key and certificate (PEM).")] = Path("keys"),
) -> None:
    """Make a self-signed test key and certificate for rehearsals against the mock platform (`peakload
    mock --trust CERT`). No real platform trusts it; ask the platform's operator for a test certificate."""
    key_file, certificate_file = make_test_credentials(out, algorithm)
    print(f"key: {key_file} (readable by you only)\ncertificate: {certificate_file}")
