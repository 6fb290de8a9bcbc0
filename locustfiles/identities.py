"""Test buyers: an operator's registry of test accounts the platform knows, or synthetic buyers.

A real platform checks each buyer's name and ID number against the identity service, and counts
what each buyer clears against the annual quota: synthetic ID numbers with valid check digits may
be real people's. So a run whose profile reaches a host that is not loopback takes its buyers from
the operator's registry (`identities: FILE`), and synthetic ones only when the profile says so
(`synthetic_identities: true`).

The registry is a CSV file with a header row: `name,id_type,id_number,telephone` (UTF-8, a BOM
allowed). It is read once per generator process; ID numbers are never written to a log or an
error message, only their last four characters (`mask`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

COLUMNS = ("name", "id_type", "id_number", "telephone")
ID_TYPES = {"1": "resident ID card", "2": "other"}  # the CEB standard's buyerIdType codes
MAX_BYTES = 10 * 1024 * 1024
MAX_ACCOUNTS = 200_000
_ID_NUMBER = re.compile(r"^[0-9A-Za-z]{1,60}$")
_TELEPHONE = re.compile(r"^[0-9+() -]{1,50}$")


class IdentityError(ValueError):
    """A registry that cannot be used, or a run that would send synthetic ID numbers where it must not."""


def mask(id_number: str) -> str:
    """An ID number as messages may show it: only its last four characters."""
    return "*" * max(0, len(id_number) - 4) + id_number[-4:] if len(id_number) > 4 else "*" * len(id_number)


@dataclass(frozen=True, slots=True, repr=False)
class Buyer:
    """One test account: who a parcel's order, payment and list name as the buyer."""

    name: str
    id_type: str
    id_number: str
    telephone: str

    def __repr__(self) -> str:  # never the number itself, wherever a buyer ends up printed
        return f"Buyer({self.name!r}, id_type={self.id_type}, id_number={mask(self.id_number)})"

    def xml_values(self) -> dict[bytes, bytes]:
        """The buyer's fields as they stand in a rendered message (XML-escaped), by template role."""
        return {b"buyer_name": escape(self.name).encode(), b"buyer_id_type": self.id_type.encode(),
                b"buyer_id": self.id_number.encode(), b"buyer_tel": escape(self.telephone).encode()}


@dataclass(frozen=True, slots=True)
class Registry:
    """The test accounts of one registry file, in its order, and the file's SHA-256 (a cleanup
    rebuilds the run's documents only from the same registry)."""

    buyers: tuple[Buyer, ...]
    sha256: str


def read_registry(path: Path) -> Registry:
    """The registry in `path`; IdentityError naming the file, the line and the column otherwise."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise IdentityError(f"identities {path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise IdentityError(f"identities {path}: larger than {MAX_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IdentityError(f"identities {path}: not UTF-8 text") from None
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in next(rows, [])]
    if tuple(header) != COLUMNS:
        raise IdentityError(f"identities {path} line 1: the header must be {','.join(COLUMNS)}")
    buyers = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(buyers) >= MAX_ACCOUNTS:
            raise IdentityError(f"identities {path}: more than {MAX_ACCOUNTS} accounts")
        buyers.append(_buyer(path, line, row))
    if len(buyers) < 2:
        raise IdentityError(f"identities {path}: {len(buyers)} account(s); a run needs at least 2 (a parcel "
                            "whose payer is not its buyer names another known account)")
    return Registry(tuple(buyers), hashlib.sha256(data).hexdigest())


def _buyer(path: Path, line: int, row: list[str]) -> Buyer:
    where = f"identities {path} line {line}"
    if len(row) != len(COLUMNS):
        raise IdentityError(f"{where}: {len(row)} columns, not {len(COLUMNS)} ({','.join(COLUMNS)})")
    name, id_type, id_number, telephone = (cell.strip() for cell in row)
    if not name or len(name) > 60 or not name.isprintable():
        raise IdentityError(f"{where}: name must be 1 to 60 printable characters")
    if id_type not in ID_TYPES:
        raise IdentityError(f"{where}: id_type {id_type[:10]!r} is not "
                            + " or ".join(f"{code} ({meaning})" for code, meaning in ID_TYPES.items()))
    if not _ID_NUMBER.match(id_number):
        raise IdentityError(f"{where}: id_number {mask(id_number[:60])} is not 1 to 60 letters and digits")
    if not _TELEPHONE.match(telephone):
        raise IdentityError(f"{where}: telephone must be 1 to 50 of 0-9 + ( ) - and spaces")
    return Buyer(name, id_type, id_number, telephone)


def buyers_for(identities: Path | None, synthetic_allowed: bool, where: str) -> Registry | None:
    """Where a run's buyers come from: the registry `identities`, or synthetic buyers (None) when
    they are allowed (a loopback target, or a profile that says `synthetic_identities: true`);
    IdentityError before any load otherwise. `where` names the target in the error."""
    if identities is not None:
        return read_registry(identities)
    if synthetic_allowed:
        return None
    raise IdentityError(
        f"{where} is not loopback: synthetic buyer ID numbers are not sent there (they may be real "
        "people's). Give the profile `identities: FILE`, the operator's test accounts (CSV: "
        f"{','.join(COLUMNS)}), or `synthetic_identities: true` if the platform's operator agrees")
