"""`peakload run --dry-run`: the plan a run would send, rendered, signed and read back, and nothing
sent: no connection to a listening target, the same counts as a real run, the errors a platform
would find, the cap checked, the manifest written."""

import datetime as dt
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ceb.errors import CebFormatError
from ceb.signing import SignatureAlgorithm, SignatureRejected, load_signing_key, make_test_credentials, sign_message
from locustfiles.manifest import NOT_SENT, read_manifest
from locustfiles.schedule import send_plan
from peakload.read_back import SignatureCheck, framed, read_back
from scenarios.loader import load
from targets import TargetProfile
from tests.cli import peakload, trusted_run

TINY = "tests/data/tiny.yaml"
NOW = dt.datetime(2018, 11, 11, 0, 0, 1)


@pytest.fixture(scope="module")
def rsa_key(tmp_path_factory) -> tuple[Path, Path]:
    return make_test_credentials(tmp_path_factory.mktemp("keys"), SignatureAlgorithm.RSA_SHA1)


@pytest.fixture()
def listener():
    """A target that listens and never answers: a connection to it would wait in its backlog."""
    server = socket.create_server(("127.0.0.1", 0))
    yield server
    server.close()


def assert_never_connected(server: socket.socket) -> None:
    server.setblocking(False)
    with pytest.raises(BlockingIOError):
        server.accept()


def write_profile(folder: Path, port: int, key: tuple[Path, Path], **fields) -> Path:
    path = folder / "profile.yaml"
    path.write_text(yaml.safe_dump({
        "name": "listening", "transport": "ceb-http", "url": f"http://127.0.0.1:{port}", "health": {"path": "/readyz"},
        "signing": {"algorithm": "rsa-sha1", "key_file": str(key[0]), "certificate_file": str(key[1])}, **fields}))
    return path


def test_a_dry_run_opens_no_connection_and_counts_what_a_run_sends(tmp_path, listener, rsa_key):
    profile = write_profile(tmp_path, listener.getsockname()[1], rsa_key)
    dry = tmp_path / "dry"
    done = peakload("run", TINY, "--profile", str(profile), "--dry-run", "--out", str(dry))
    assert_never_connected(listener)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing was sent" in done.stdout and f"127.0.0.1:{listener.getsockname()[1]}" in done.stdout
    figures = json.loads((dry / "dry-run.json").read_text())
    assert figures["errors"] == [] and figures["signing"] == "rsa-sha1" and figures["processes"] == 1
    assert figures["total"]["count"] == sum(t["count"] for t in figures["message_types"].values())
    assert figures["total"]["peak_per_s"] >= max(t["peak_per_s"] for t in figures["message_types"].values())
    assert 0 <= figures["total"]["first_s"] < figures["last_message_s"] <= figures["load_s"] + 1

    real = tmp_path / "real"
    ran = trusted_run(TINY, "--quiet", out=real)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    sent = json.loads((real / "results.json").read_text())["message_types"]
    assert {name: row["sent"] for name, row in sent.items()} == \
           {name: row["count"] for name, row in figures["message_types"].items()}

    manifest = read_manifest(dry)
    assert figures["manifests"] == ["manifest.jsonl"] and manifest.unreadable_lines == 0
    assert len(manifest.documents) == figures["total"]["count"]
    assert all(d.error == NOT_SENT and not d.delivered for d in manifest.documents.values()), "a cleanup skips them"
    assert all(d.keys.get("orderNo") for d in manifest.documents.values()), "every import document names its order"
    again = peakload("run", TINY, "--profile", str(profile), "--dry-run", "--out", str(dry))
    assert again.returncode == 64 and "already holds a run's manifest" in again.stderr, again.stderr
    assert read_manifest(dry).documents == manifest.documents


def test_a_dry_run_over_the_cap_lists_the_refusal_and_clip_to_cap_fits_it(tmp_path, listener, rsa_key):
    profile = write_profile(tmp_path, listener.getsockname()[1], rsa_key, max_rate=40)
    over = peakload("run", TINY, "--profile", str(profile), "--processes", "2", "--dry-run", "--out",
                    str(tmp_path / "over"))
    clipped = peakload("run", TINY, "--profile", str(profile), "--processes", "2", "--dry-run", "--clip-to-cap",
                       "--out", str(tmp_path / "clipped"))
    assert_never_connected(listener)
    assert over.returncode == 64, over.stdout + over.stderr
    peak = json.loads((tmp_path / "over" / "dry-run.json").read_text())["total"]["peak_per_s"]
    assert f"error: {profile}: the plan sends {peak} messages in its busiest second" in over.stderr, over.stderr
    assert "a run would be refused" in over.stderr
    assert clipped.returncode == 0, clipped.stdout + clipped.stderr
    figures = json.loads((tmp_path / "clipped" / "dry-run.json").read_text())
    assert figures["total"]["peak_per_s"] <= 40 and figures["clipped"].startswith("clipped to the target's cap")
    assert figures["max_rate"] == 40 and "clipped to the target's cap" in clipped.stdout


@pytest.mark.parametrize("transport", ["ceb-http", "eport", "dxp-folder"])
def test_each_message_is_read_back_through_its_transport_s_frame(transport, rsa_key):
    profile = TargetProfile.model_validate({
        "name": "t", "transport": transport, "dxp_id": "DXPENT0000000001",
        **({"folders": {"root": "/nonexistent"}} if transport == "dxp-folder" else {"url": "http://127.0.0.1:1"})})
    job = next(send_plan(load(TINY)))
    key = load_signing_key(SignatureAlgorithm.RSA_SHA1, *rsa_key)
    signed = sign_message(job.body, key)
    wire = framed(profile, job, signed, NOW)
    assert (wire != signed) == (transport != "ceb-http")
    message = read_back(profile, wire, SignatureCheck())
    assert message.message_type is job.message_type and message.documents[0].head.guid == job.document_guid


def test_what_a_platform_would_refuse_is_found(rsa_key):
    job = next(send_plan(load(TINY)))
    key = load_signing_key(SignatureAlgorithm.RSA_SHA1, *rsa_key)
    signed = sign_message(job.body, key)
    order_no = re.search(rb"<ceb:orderNo>([^<]+)</ceb:orderNo>", signed).group(1)
    with pytest.raises(SignatureRejected, match="tampered"):
        read_back(None, signed.replace(order_no, order_no[:-1] + b"9"), SignatureCheck())
    with pytest.raises(SignatureRejected, match="missing"):
        read_back(None, job.body, SignatureCheck())
    guid = re.search(rb'guid="([^"]+)"', job.body).group(1)
    with pytest.raises(CebFormatError, match="longer than 36"):
        read_back(None, job.body.replace(guid, guid + b"-TOO-LONG", 1), None)


def test_the_dry_run_module_loads_neither_locust_nor_gevent():
    check = ("import sys, peakload.dry_run, peakload.read_back, peakload.caps, locustfiles.rate_cap\n"
             "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('locust', 'gevent'))))")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
