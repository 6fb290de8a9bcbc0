import pytest

from scenarios.loader import ScenarioError, library_names, load


def write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


VALID = """
name: t
clock: {start: "2018-11-11T00:00:00+08:00", duration: 10s, compression: 1}
baseline_orders_per_day: 1000
curve: [{kind: hold, duration: 10s, rate: 1}]
"""


def test_every_library_scenario_validates():
    names = library_names()
    assert "double11-smoke" in names
    for name in names:
        assert load(name).name == name


def test_valid_file_loads(tmp_path):
    assert load(str(write(tmp_path, VALID))).clock.duration_s == 10


@pytest.mark.parametrize("change,key,value", [
    (("rate: 1", "rate: -5"), "curve.0.hold.rate", "-5"),
    (("duration: 10s, compression", "duration: ten, compression"), "clock.duration", "'ten'"),
    (("kind: hold", "kind: wobble"), "curve.0", ""),
    (("compression: 1", "compression: 0.5"), "clock.compression", "0.5"),
])
def test_errors_name_file_key_and_value(tmp_path, change, key, value):
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(ScenarioError) as caught:
        load(str(path))
    message = str(caught.value)
    assert str(path) in message and key in message and value in message


def test_unknown_key_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="colour"):
        load(str(write(tmp_path, VALID + "colour: red\n")))


def test_curve_must_cover_the_clock(tmp_path):
    with pytest.raises(ScenarioError, match="curve lasts 10 s but clock.duration is 20 s"):
        load(str(write(tmp_path, VALID.replace("duration: 10s, compression", "duration: 20s, compression"))))


def test_broken_yaml_and_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load(str(write(tmp_path, "name: [unclosed")))
    with pytest.raises(ScenarioError, match="no such scenario"):
        load(str(tmp_path / "nope.yaml"))


def test_parties_and_target_are_validated(tmp_path):
    text = VALID + "target: ftp://x\nparties:\n  agent: {code: '12', name: A, dxp_id: D}\n"
    with pytest.raises(ScenarioError) as caught:
        load(str(write(tmp_path, text)))
    message = str(caught.value)
    assert "target = 'ftp://x'" in message and "parties.agent.code = '12'" in message


def test_custom_parties_reach_the_messages(tmp_path):
    from ceb.codec import parse_message
    from locustfiles.schedule import send_plan

    text = VALID + "parties:\n  agent: {code: '3301960009', name: 杭州保税仓, dxp_id: DXPENT0000330009}\n"
    scenario = load(str(write(tmp_path, text)))
    job = next(j for j in send_plan(scenario) if j.message_type.value == "CEB621")
    message = parse_message(job.body)
    assert message.base_transfer.cop_code == "3301960009"
    assert message.documents[0].agent_code == "3301960009"


@pytest.mark.parametrize("extra,message", [
    ("followups: {arrival: {fraction: 1}}\n", "CEB711 arrival lists are for trade_mode 9610"),
    ("followups: {cancel: {fraction: 0.6}, return: {fraction: 0.6}}\n", "add up to more than 1"),
    ("followups: {cancel: {fraction: 1.5}}\n", "followups.cancel.fraction"),
    ("followups: {refund: {fraction: 0.1}}\n", "refund"),
    ("trade_mode: '9610'\nmix: [{weight: 1}]\n", "give trade_mode and parties per channel"),
    ("mix: [{weight: 0}]\n", "mix.0.weight"),
])
def test_followups_and_mix_are_validated(tmp_path, extra, message):
    with pytest.raises(ScenarioError, match=message):
        load(str(write(tmp_path, VALID + extra)))
