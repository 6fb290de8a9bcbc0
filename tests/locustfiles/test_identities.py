"""Test buyers: a registry of the operator's test accounts is read, checked and spread over a run's
parcels; synthetic ID numbers are refused where the target is not loopback; no error shows a number."""

from pathlib import Path

import pytest

from ceb.codec import message_from_tree, open_envelope
from ceb.types import MessageType
from locustfiles.identities import IdentityError, buyers_for, mask, read_registry
from locustfiles.parcels import Declaring
from locustfiles.schedule import send_plan
from scenarios.loader import load
from scenarios.model import ParcelDefect

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
ACCOUNTS = [("测试一", "1", "110101199001010015", "13800000001"), ("Test & Two", "2", "P12345678", "+86 138-0000-0002"),
            ("测试三", "1", "110101199001010031", "13800000003")]


def registry_file(tmp_path: Path, rows=ACCOUNTS, header="name,id_type,id_number,telephone") -> Path:
    path = tmp_path / "buyers.csv"
    path.write_text("\ufeff" + header + "\n" + "".join(",".join(f'"{c}"' for c in row) + "\n" for row in rows),
                    encoding="utf-8")
    return path


def test_every_buyer_of_a_plan_is_a_registry_account_spread_round_robin(tmp_path):
    registry = read_registry(registry_file(tmp_path))
    scenario = load(str(TINY)).model_copy(update={"defects": {ParcelDefect.PAYER_NOT_BUYER: 0.2}})
    accounts = {(b.name, b.id_type, b.id_number, b.telephone) for b in registry.buyers}
    used: dict[str, int] = {}
    for worker in (0, 1):
        for job in send_plan(scenario, worker, 2, Declaring(buyers=registry.buyers)):
            document = message_from_tree(open_envelope(job.body)[1]).documents[0]
            if job.message_type in (MessageType.ORDER, MessageType.INVENTORY_LIST):
                buyer = (document.buyer_name, document.buyer_id_type, document.buyer_id_number, document.buyer_telephone)
                assert buyer in accounts, f"{job.message_type.value} names a buyer not in the registry"
                used[document.buyer_id_number] = used.get(document.buyer_id_number, 0) + 1
            elif job.message_type is MessageType.PAYMENT:  # a payer-not-buyer parcel names another account
                assert document.payer_id_number in {a[2] for a in accounts}
    counts = sorted(used.values())
    assert len(used) == len(ACCOUNTS) and counts[-1] - counts[0] <= 4, used  # every account, evenly


def test_a_registry_that_cannot_be_used_is_refused_naming_the_line_never_the_number(tmp_path):
    assert len(read_registry(registry_file(tmp_path)).buyers) == 3
    secret = "110101199001011234"
    cases = [
        (dict(header="name,id,phone"), "line 1: the header must be name,id_type,id_number,telephone"),
        (dict(rows=[ACCOUNTS[0], ("王五", "7", secret, "138")]), "line 3: id_type '7' is not 1"),
        (dict(rows=[ACCOUNTS[0], ("王五", "1", secret + "<x>", "138")]), "line 3: id_number"),
        (dict(rows=[ACCOUNTS[0], ("王五", "1", secret, "call me")]), "line 3: telephone"),
        (dict(rows=[ACCOUNTS[0]]), "1 account(s); a run needs at least 2"),
    ]
    for kwargs, words in cases:
        with pytest.raises(IdentityError) as error:
            read_registry(registry_file(tmp_path, **kwargs))
        assert words in str(error.value) and secret not in str(error.value), str(error.value)
    assert mask(secret) == "**************1234" and secret not in repr(read_registry(registry_file(tmp_path)).buyers)
    (tmp_path / "latin1.csv").write_bytes("name,id_type,id_number,telephone\n\xe9,1,1,1\n".encode("latin-1"))
    with pytest.raises(IdentityError, match="not UTF-8"):
        read_registry(tmp_path / "latin1.csv")


def test_synthetic_buyers_go_only_where_they_are_allowed(tmp_path):
    assert buyers_for(None, synthetic_allowed=True, where="loopback") is None
    with pytest.raises(IdentityError, match="identities: FILE.*synthetic_identities: true"):
        buyers_for(None, synthetic_allowed=False, where="profile p reaches 192.0.2.10, which")
    assert len(buyers_for(registry_file(tmp_path), synthetic_allowed=False, where="x").buyers) == 3
