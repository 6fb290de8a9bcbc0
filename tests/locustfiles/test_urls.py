"""Credentials never leave a target URL for results, reports or messages."""

from locustfiles.urls import scrubbed, without_credentials


def test_without_credentials_keeps_everything_but_the_userinfo():
    assert without_credentials("https://decl%40rer:s3cret@ceb.example.gov.cn:8443/gw") == \
        "https://ceb.example.gov.cn:8443/gw"
    assert without_credentials("http://user@[::1]:8080") == "http://[::1]:8080"
    assert without_credentials("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"


def test_scrubbed_removes_credentials_from_every_url_in_a_message():
    text = "GET https://a:b@h1/healthz failed; redirected to http://c:d@h2:81/x (see https://h3/ok)"
    assert scrubbed(text) == "GET https://h1/healthz failed; redirected to http://h2:81/x (see https://h3/ok)"
    assert "s3cret" not in scrubbed("Client error for url 'https://u:s3cret@host/healthz'")


def test_a_password_with_a_raw_at_sign_is_scrubbed_whole():
    text = "GET http://user:ss-Qx7w@@127.0.0.1:1/healthz failed"
    assert scrubbed(text) == "GET http://127.0.0.1:1/healthz failed"
    assert without_credentials("http://user:pa@ss@127.0.0.1:1/x") == "http://127.0.0.1:1/x"
