"""Target profiles: every example loads, mistakes name the file, key and value, secrets stay in the
environment, and hostile YAML is refused."""

from pathlib import Path

import pytest

from targets import ProfileError, TargetProfile, TransportKind, load_profile
from targets.loader import example_names


@pytest.mark.parametrize("name", example_names())
def test_every_example_profile_loads(name):
    profile = load_profile(name)
    assert profile.name == name


def test_a_mistake_names_the_file_the_key_and_the_value(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ntransport: eport\nurl: ftp://x\nreceipts: {page_size: 0}\n")
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    text = str(caught.value)
    assert str(path) in text and "receipts.page_size = 0" in text


@pytest.mark.parametrize("document, words", [
    ({"name": "p", "transport": "eport", "url": "http://127.0.0.1:1"}, "needs dxp_id"),
    ({"name": "p", "transport": "dxp-folder", "dxp_id": "DXPENT1"}, "needs folders"),
    ({"name": "p", "url": "http://127.0.0.1:1", "signing": {"algorithm": "rsa-sha1"}}, "either key_file"),
    ({"name": "p", "url": "http://127.0.0.1:1", "headers": {"X-Key": "lower_case"}}, "String should match"),
    ({"name": "p", "url": "http://127.0.0.1:1", "password": "hunter2"}, "Extra inputs are not permitted"),
])
def test_what_a_transport_needs_and_what_a_profile_refuses(document, words):
    with pytest.raises(ValueError) as caught:
        TargetProfile.model_validate(document)
    assert words in str(caught.value)


def test_header_values_come_from_the_environment_only():
    profile = TargetProfile(name="p", url="http://127.0.0.1:1", headers={"X-Api-Key": "PEAKLOAD_TEST_KEY"})
    assert profile.header_values({"PEAKLOAD_TEST_KEY": "k-1"}) == {"X-Api-Key": "k-1"}
    with pytest.raises(ProfileError, match="PEAKLOAD_TEST_KEY not set"):
        profile.header_values({})
    assert profile.transport is TransportKind.CEB_HTTP


def test_a_billion_laughs_profile_is_refused(tmp_path: Path):
    path = tmp_path / "laughs.yaml"
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]"
              for i in range(1, 9)]
    path.write_text("\n".join(lines) + "\nname: *a8\n")
    with pytest.raises(ProfileError, match="refused"):
        load_profile(str(path))
