"""Benchmark: the SM2 libraries on PyPI, signatures per CPU-second on one core, each checked for
interoperability (its signature must verify as SM3 with the GM/T 0009 default user id).

    python benchmarks/sm2_candidates.py [--seconds 2] [NAME ...]

Run it in a scratch virtualenv holding the candidates (`pip install tongsuopy gmssl gmssl-pyx
gmssl-fast snowland-smx smcryptopy cryptography`): only tongsuopy is a project dependency. A
candidate that is not installed is reported as such. docs/signing.md has the results and the choice.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cpu_rate import rate  # noqa: E402 - no project dependency: runs in a scratch virtualenv too

USER_ID = b"1234567812345678"
DATA = os.urandom(600)  # the size of a canonical SignedInfo
CORE = 1

Setup = Callable[[], tuple[Callable[[], bytes], bytes, Callable[[bytes], bytes]]]
"""A candidate: its sign operation, its public point (x || y), and its signature as DER."""


def _raw_to_der(raw: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


def tongsuopy():
    from tongsuopy.crypto import hashes
    from tongsuopy.crypto.asymciphers import ec
    key = ec.generate_private_key(ec.SM2())
    numbers = key.public_key().public_numbers()
    point = numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")
    return lambda: key.sign(DATA, ec.ECDSA(hashes.SM3())), point, lambda der: der


def gmssl_pyx():
    from gmssl_pyx import sm2_key_generate, sm2_sign
    public, private = sm2_key_generate()
    return lambda: sm2_sign(private, public, DATA, USER_ID), public, lambda der: der


def gmssl_fast():
    from gmssl_fast import SM2
    generated = SM2.generate()
    key = SM2(generated.private_key_hex, generated.public_key_hex)
    return lambda: key.sign(DATA), bytes.fromhex(generated.public_key_hex)[-64:], _raw_to_der


def snowland_smx():
    from pysmx.SM2 import Sign, generate_keypair
    public, private = generate_keypair()
    return (lambda: Sign(DATA, private, os.urandom(32).hex(), 64, uid=USER_ID.decode()),
            bytes(public)[-64:], _raw_to_der)


def gmssl():
    from gmssl import sm2
    from tongsuopy.crypto.asymciphers import ec
    private = ec.generate_private_key(ec.SM2())  # gmssl makes no keys
    numbers = private.public_key().public_numbers()
    point = numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")
    crypt = sm2.CryptSM2(private_key=format(private.private_numbers().private_value, "064x"), public_key=point.hex())
    return lambda: bytes.fromhex(crypt.sign_with_sm3(DATA)), point, _raw_to_der


def smcryptopy():
    from smcryptopy import sm2
    private, public = sm2.gen_keypair()
    return lambda: sm2.sign(USER_ID, DATA, private), bytes.fromhex(public)[-64:], lambda sig: sig


CANDIDATES: dict[str, Setup] = {f.__name__.replace("_", "-"): f for f in
                                (tongsuopy, gmssl_pyx, gmssl_fast, snowland_smx, gmssl, smcryptopy)}


def interoperable(point: bytes, der: bytes) -> bool:
    """True if `der` verifies under the reference (tongsuopy: SM3 with Z, default user id)."""
    from tongsuopy.crypto import hashes
    from tongsuopy.crypto.asymciphers import ec
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SM2(), b"\x04" + point)
    try:
        key.verify(der, DATA, ec.ECDSA(hashes.SM3()))
    except Exception:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("names", nargs="*", default=list(CANDIDATES))
    arguments = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and CORE < os.cpu_count():
        os.sched_setaffinity(0, {CORE})
    for name in arguments.names:
        try:
            sign, point, as_der = CANDIDATES[name]()
        except ImportError as exc:
            print(f"{name}: not installed ({exc})")
            continue
        except Exception as exc:  # a binding whose native library is missing fails here
            print(f"{name}: does not load: {type(exc).__name__}: {exc}")
            continue
        verdict = "interoperable" if interoperable(point, as_der(sign())) else "NOT interoperable"
        print(f"{name}: {rate(sign, arguments.seconds):,.0f} signatures per CPU-second, {verdict}", flush=True)


if __name__ == "__main__":
    main()
