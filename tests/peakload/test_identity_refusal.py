"""`peakload run` against a target that is not loopback refuses synthetic buyer ID numbers before any
load, and a registry it cannot use, naming the line but never the number."""

from pathlib import Path

from tests.cli import peakload

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
HOST = "192.0.2.10"  # TEST-NET-1: nothing answers there, and nothing may be sent


def profile(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "remote.yaml"
    path.write_text(f"name: remote\ntransport: ceb-http\nurl: http://{HOST}:8080\n{extra}", encoding="utf-8")
    return path


def run(tmp_path: Path, profile_path: Path):
    out = tmp_path / "out"
    done = peakload("run", str(TINY), "--profile", str(profile_path), "--confirm-target", HOST, "--out", str(out),
                    timeout=60)
    return done, out


def test_synthetic_buyers_are_refused_before_any_load_on_a_target_that_is_not_loopback(tmp_path):
    done, out = run(tmp_path, profile(tmp_path))
    assert done.returncode == 64, done.stdout + done.stderr
    assert f"profile remote reaches {HOST}, which is not loopback" in done.stderr
    assert "identities: FILE" in done.stderr and "synthetic_identities: true" in done.stderr
    assert not out.exists()  # refused before anything was made, planned or sent


def test_a_registry_that_cannot_be_used_is_refused_with_the_number_masked(tmp_path):
    secret = "11010119900101123X"
    registry = tmp_path / "buyers.csv"
    registry.write_text(f"name,id_type,id_number,telephone\n张三,1,110101199001010015,138\n李四,9,{secret},139\n",
                        encoding="utf-8")
    done, out = run(tmp_path, profile(tmp_path, f"identities: {registry}\n"))
    assert done.returncode == 64 and "line 3: id_type '9'" in done.stderr, done.stderr
    assert secret not in done.stdout + done.stderr and not out.exists()
    both = profile(tmp_path, f"identities: {registry}\nsynthetic_identities: true\n")
    done, _ = run(tmp_path, both)
    assert done.returncode == 64 and "not both" in done.stderr
