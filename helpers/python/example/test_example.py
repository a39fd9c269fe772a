import pytest
from atm_testing import AtmError, decode_jwt


def test_sign_in_is_recorded(atm_server):  # a fresh seed for every test (POST /_testing/reset)
    tokens = atm_server.sign_in()  # POST /auth with PKCE, then POST /auth/token
    assert decode_jwt(tokens["id_token"])[1]["email"] == "ann@example.com"
    assert [r["status"] for r in atm_server.records("login")] == [200]


def test_expired_access_token_is_refused(atm_server):
    token = atm_server.mint_token(user="ann@example.com", expires_in=60)["access_token"]
    bearer = {"authorization": "Bearer " + token}
    assert atm_server.request("GET", "/userinfo", headers=bearer)[0] == 200
    atm_server.advance_clock(120)
    assert atm_server.request("GET", "/userinfo", headers=bearer)[0] == 401


def test_token_endpoint_fails_once(atm_server):
    atm_server.fail_next("/auth/token", status=503, error="temporarily_unavailable")
    with pytest.raises(AtmError) as failed:
        atm_server.sign_in()
    assert failed.value.status == 503
    assert atm_server.sign_in()["access_token"]
