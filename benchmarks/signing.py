"""Benchmark: signatures per second on one core, raw and as whole signed CEB621 messages.

    .venv/bin/python benchmarks/signing.py [--seconds 2]

Pinned to one core, counted per CPU-second of this process (so a busy machine lengthens the run
but hardly changes the figures). Measures RSA-2048 with SHA-1 (cryptography) and SM2 with SM3 (tongsuopy) over
a 600-byte input (the size of a canonical SignedInfo), then `sign_message` on a generated CEB621 of
about 3 KB, and `TrustStore.verify` of the result. About 12 s of CPU in all. The last line is
machine-readable:

    rsa_signs_per_s=<x> sm2_signs_per_s=<y> rsa_messages_per_s=<a> sm2_messages_per_s=<b>
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.cpu_rate import rate  # noqa: E402
from ceb.codec import render_message  # noqa: E402
from ceb.signing import (SignatureAlgorithm, TrustStore, load_signing_key, make_test_credentials,  # noqa: E402
                         sign_message)
from ceb.types import MessageType  # noqa: E402
from locustfiles.parcels import ParcelFactory  # noqa: E402

CORE = 1
SIGNED_INFO_BYTES = 600


def inventory_list() -> bytes:
    factory = ParcelFactory(seed=1)  # one whose CEB621 is about 3 KB (two items)
    messages = factory.make(dt.datetime(2018, 11, 11, 0, 5)).messages(factory.parties, factory.guid)
    return render_message(messages[MessageType.INVENTORY_LIST])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="length of each measurement")
    seconds = parser.parse_args().seconds
    if hasattr(os, "sched_setaffinity") and CORE < os.cpu_count():
        os.sched_setaffinity(0, {CORE})
    xml = inventory_list()
    data = os.urandom(SIGNED_INFO_BYTES)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for algorithm in (SignatureAlgorithm.RSA_SHA1, SignatureAlgorithm.SM2_SM3):
            key = load_signing_key(algorithm, *make_test_credentials(Path(folder), algorithm))
            store = TrustStore([key.certificate_der])
            signed = sign_message(xml, key)
            family = "sm2" if algorithm.is_sm2 else "rsa"
            results[f"{family}_signs_per_s"] = rate(lambda: key.sign(data), seconds)
            results[f"{family}_messages_per_s"] = rate(lambda: sign_message(xml, key), seconds)
            verifies = rate(lambda: store.verify(signed, required=True), seconds)
            print(f"{algorithm.value}: {results[f'{family}_signs_per_s']:,.0f} signatures/s, "
                  f"{results[f'{family}_messages_per_s']:,.0f} signed CEB621/s ({len(xml):,} bytes), "
                  f"{verifies:,.0f} verified CEB621/s", flush=True)
    print(" ".join(f"{name}={results[name]:.0f}" for name in
                   ("rsa_signs_per_s", "sm2_signs_per_s", "rsa_messages_per_s", "sm2_messages_per_s")))


if __name__ == "__main__":
    main()
