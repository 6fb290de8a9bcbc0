"""`peakload run --profile` against `peakload mock --transport T --trust CERT`, for each transport
and signature algorithm: signed messages delivered, receipts consumed, report written, every gate
evaluated. Keys and certificates are made by the tests, never committed."""

import json
import ssl
from pathlib import Path

import pytest
import yaml

from ceb.signing import SignatureAlgorithm, make_test_credentials
from peakload.embedded_mock import start_mock
from tests.cli import peakload, trusted_run
from tests.mock_platform.certificates import ThrowawayCa
from tests.sshd import SSHD, sftp_server

ALGORITHMS = (SignatureAlgorithm.RSA_SHA1, SignatureAlgorithm.SM2_SM3)


@pytest.fixture(scope="module")
def credentials(tmp_path_factory: pytest.TempPathFactory) -> dict[SignatureAlgorithm, tuple[Path, Path]]:
    folder = tmp_path_factory.mktemp("keys")
    return {algorithm: make_test_credentials(folder, algorithm) for algorithm in ALGORITHMS}


def serving(transport: str, dxp_root: Path) -> tuple[str, ...]:
    """The mock's options to serve `transport`."""
    return ("--transport", transport) + (("--dxp-root", str(dxp_root)) if transport == "dxp-folder" else ())


def profile_for(transport: str, url: str, dxp_root: Path, algorithm: SignatureAlgorithm,
                key: tuple[Path, Path], folder: Path) -> Path:
    profile: dict = {"name": f"{transport}-{algorithm.value}", "transport": transport,
                     "signing": {"algorithm": algorithm.value, "key_file": str(key[0]),
                                 "certificate_file": str(key[1])},
                     "receipts": {"interval_s": 0.5, "eport_overlap_s": 2}}
    if transport == "dxp-folder":
        profile.update(dxp_id="DXPENT0000000001", folders={"root": str(dxp_root)})
    else:
        profile["url"] = url
    if transport == "eport":
        profile["dxp_id"] = "DXPENT0000000001"
    path = folder / f"{profile['name']}.yaml"
    path.write_text(yaml.safe_dump(profile), encoding="utf-8")
    return path


@pytest.mark.parametrize("transport", ["ceb-http", "eport", "dxp-folder"])
def test_a_signed_run_passes_over_each_transport(transport: str, credentials, tmp_path: Path):
    dxp_root = tmp_path / "dxp"
    trust = [arg for _, certificate in credentials.values() for arg in ("--trust", str(certificate))]
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log", (*serving(transport, dxp_root), *trust))
    try:
        for tag, algorithm in zip(("R1", "S1"), ALGORITHMS):
            profile = profile_for(transport, mock.url, dxp_root, algorithm, credentials[algorithm], tmp_path)
            out = tmp_path / algorithm.value
            done = trusted_run("smoke", "--profile", str(profile), "--id-tag", tag, "--quiet", out=out)
            summary = json.loads((out / "summary.json").read_text())
            assert done.returncode == 0, (transport, algorithm, done.stdout, done.stderr, summary["reasons"])
            assert summary["verdict"] == "pass"
            assert all(gate["passed"] for gate in summary["gates"]) and len(summary["gates"]) == 3
            assert summary["receipts_by_status"].get("800", 0) > 0, "no list was seen released"
            assert (out / "report.html").exists() and (out / "junit.xml").exists()
            results = json.loads((out / "results.json").read_text())
            assert results["transport"] == transport and results["signed"] == results["orders_sent"] * 4
            assert results["signing_hdr"], "signing time is recorded"
    finally:
        mock.stop()
    if transport == "dxp-folder":
        assert not [p for p in (dxp_root / "send").iterdir()], "every file was taken"


@pytest.mark.parametrize("transport", ["ceb-http", "eport", "dxp-folder"])
def test_a_run_signing_with_a_key_the_platform_does_not_trust_fails_naming_why(transport, credentials,
                                                                              tmp_path: Path):
    dxp_root = tmp_path / "dxp"
    trusted = credentials[SignatureAlgorithm.RSA_SHA1][1]
    stranger = make_test_credentials(tmp_path / "stranger", SignatureAlgorithm.RSA_SHA1)
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log",
                      (*serving(transport, dxp_root), "--trust", str(trusted)))
    try:
        profile = profile_for(transport, mock.url, dxp_root, SignatureAlgorithm.RSA_SHA1, stranger, tmp_path)
        out = tmp_path / "run"
        done = peakload("run", "tests/data/tiny.yaml", "--profile", str(profile), "--quiet", "--out", str(out))
    finally:
        mock.stop()
    summary = json.loads((out / "summary.json").read_text())
    assert done.returncode == 1 and summary["verdict"] == "fail", (done.stdout, summary["reasons"])
    samples = " ".join(summary["error_samples"]).lower()
    assert "trust" in samples or "untrusted" in samples, summary["error_samples"]


def test_mutual_tls_against_a_mock_behind_a_test_ca_and_a_clear_error_when_verification_fails(tmp_path: Path):
    ca = ThrowawayCa(tmp_path / "ca")
    server, client, probe = (ca.issue("server", server=True), ca.issue("generator", server=False),
                             ca.issue("probe", server=False))
    probe_context = ssl.create_default_context(cafile=ca.ca_file)
    probe_context.load_cert_chain(probe.cert, probe.key)
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log",
                      ("--tls-cert", str(server.cert), "--tls-key", str(server.key),
                       "--tls-client-ca", str(ca.ca_file)), tls=probe_context)
    base = {"transport": "ceb-http", "url": mock.url, "health": {"path": "/readyz"}}
    trusting = dict(base, name="mtls", tls={"ca_bundle": str(ca.ca_file), "client_certificate": str(client.cert),
                                            "client_key": str(client.key)})
    stranger = dict(base, name="system-cas", tls={"client_certificate": str(client.cert),
                                                  "client_key": str(client.key)})
    try:
        runs = {}
        for profile in (trusting, stranger):
            path = tmp_path / f"{profile['name']}.yaml"
            path.write_text(yaml.safe_dump(profile), encoding="utf-8")
            out = tmp_path / profile["name"]
            runs[profile["name"]] = (trusted_run("tests/data/tiny.yaml", "--profile", str(path), "--quiet", out=out),
                                     json.loads((out / "summary.json").read_text()))
    finally:
        mock.stop()
    done, summary = runs["mtls"]
    assert done.returncode == 0 and summary["verdict"] == "pass", (done.stdout, summary["reasons"])
    assert summary["target"].startswith("https://127.0.0.1:")
    done, summary = runs["system-cas"]
    assert done.returncode == 2 and summary["verdict"] == "invalid"
    assert "certificate verify failed" in " ".join(summary["reasons"]), summary["reasons"]
    assert "certificate verify failed" in done.stdout + done.stderr


@pytest.mark.skipif(not SSHD.exists(), reason="needs Debian's openssh-server (.ci/run installs it)")
def test_a_signed_run_through_dxp_folders_on_an_sftp_server(credentials, tmp_path: Path):
    dxp_root = tmp_path / "dxp"
    algorithm = SignatureAlgorithm.RSA_SHA1
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log",
                      (*serving("dxp-folder", dxp_root), "--trust", str(credentials[algorithm][1])))
    try:
        with sftp_server(tmp_path / "sshd") as ssh:
            profile = profile_for("dxp-folder", "", dxp_root, algorithm, credentials[algorithm], tmp_path)
            document = yaml.safe_load(profile.read_text())
            document["folders"] = {"root": f"sftp://{ssh.user}@127.0.0.1:{ssh.port}{dxp_root}",
                                   "known_hosts_file": str(ssh.known_hosts), "private_key_file": str(ssh.client_key)}
            profile.write_text(yaml.safe_dump(document))
            out = tmp_path / "run"
            done = trusted_run("tests/data/tiny.yaml", "--profile", str(profile), "--quiet", out=out)
    finally:
        mock.stop()
    summary = json.loads((out / "summary.json").read_text())
    assert done.returncode == 0 and summary["verdict"] == "pass", (done.stdout, done.stderr, summary["reasons"])
    assert summary["target"] == f"dxp-folder:sftp://127.0.0.1:{ssh.port}{dxp_root}", "shown without its user"


def test_the_folder_transport_refuses_more_than_one_generator_process(tmp_path: Path):
    done = peakload("run", "smoke", "--profile", "mock-dxp-folder", "--processes", "2", "--out", str(tmp_path))
    assert done.returncode == 64 and "one generator process" in done.stderr, done.stderr
