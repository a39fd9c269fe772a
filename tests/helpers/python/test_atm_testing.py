"""A user's pytest suite with atm_testing: the fixture (one server, reset before
each test), then AtmServer by hand: TOML text, errors, SIGTERM and the SIGKILL bound."""
import os
import signal
import stat
import time

import pytest
from atm_testing import AtmError, AtmServer, decode_jwt, to_toml


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_fixture_hands_back_urls_and_credentials(atm_server):
    assert atm_server.url.startswith("http://127.0.0.1:")
    discovery = atm_server.get_json("/.well-known/openid-configuration")
    assert discovery["issuer"] == atm_server.issuer == atm_server.urls["issuer"]
    assert discovery["token_endpoint"] == atm_server.urls["token"]
    assert discovery["jwks_uri"] == atm_server.urls["jwks"]
    assert atm_server.app["client_id"] == "py-app"
    assert len(atm_server.app["client_secret"]) == 32
    assert atm_server.user["email"] == "ann@example.com"
    assert atm_server.status()["enabled"] is True


def test_sign_in_by_hand_then_with_sign_in(atm_server):
    from atm_testing import pkce
    verifier, challenge = pkce()
    status, _, auth = atm_server.request("POST", "/auth", {
        "loginId": "ann@example.com", "password": "ann-password", "clientId": "py-app",
        "code_challenge": challenge, "code_challenge_method": "S256"})
    assert status == 200, auth
    status, _, tokens = atm_server.request("POST", "/auth/token", {
        "clientId": "py-app", "clientSecret": atm_server.app["client_secret"], "grant_types": "authorization_code",
        "code": auth["code"], "code_verifier": verifier})
    assert status == 200, tokens
    access = decode_jwt(tokens["access_token"])[1]
    assert access["iss"] == atm_server.atm_issuer == "py-tests"
    assert access["scope"]["email"] == "ann@example.com"
    claims = {**access, **decode_jwt(atm_server.sign_in()["id_token"])[1]}
    assert claims["role"] == "admin"


def test_a_user_put_in_one_test(atm_server):
    atm_server.put_user("later-user-0000000001", client_id="py-app", email="later@example.com",
                        password="later-password")
    assert atm_server.sign_in(email="later@example.com", password="later-password")["access_token"]
    atm_server.advance_clock(3600)
    atm_server.fail_next("/auth/token", status=500, error="server_error")


def test_is_gone_in_the_next(atm_server):  # the fixture reset the server in between
    with pytest.raises(AtmError) as refused:
        atm_server.sign_in(email="later@example.com", password="later-password")
    assert refused.value.status == 401
    assert atm_server.clock()["offset"] == 0
    assert atm_server.failures() == []
    assert atm_server.sign_in()["access_token"]
    assert [r["status"] for r in atm_server.records("login")] == [401, 200]


def test_minted_tokens_and_broken_ones(atm_server):
    good = atm_server.mint_token(client_id="py-app", user="ann@example.com", claims={"plan": "pro"})
    assert good["token_type"] == "Bearer" and good["refresh_token"]
    header, payload = decode_jwt(good["access_token"])
    assert payload["plan"] == "pro"
    kids = {k["kid"] for k in atm_server.get_json("/.well-known/jwks.json")["keys"]}
    assert header["kid"] in kids
    assert decode_jwt(atm_server.mint_token(client_id="py-app", sub="s", broken="unknown_kid")["access_token"])[0][
        "kid"] not in kids
    assert decode_jwt(atm_server.mint_token(client_id="py-app", sub="s", broken="none_alg")["access_token"])[0][
        "alg"] == "none"
    with pytest.raises(AtmError) as bad:
        atm_server.mint_token(client_id="py-app", user="nobody@example.com")
    assert bad.value.status == 400 and bad.value.body["error"] == "invalid_request"


def test_put_application_then_sign_in(atm_server):
    created = atm_server.put_application("py-spa", name="Py SPA", public=True,
                                         redirect_urls=["http://localhost:5173/cb"])
    assert created["name"] == "Py SPA"
    atm_server.put_user("spa-user-000000000001", client_id="py-spa", email="spa@example.com", password="spa-password")
    tokens = atm_server.sign_in(client_id="py-spa", email="spa@example.com", password="spa-password")
    assert decode_jwt(tokens["access_token"])[1]["aud"] == "py-spa"


def test_stop_terminates_and_cleans_up():
    server = AtmServer().start()
    pid, folder = server.pid, server.dir
    assert stat.S_IMODE(os.stat(server.config_path).st_mode) == 0o600
    assert server.sign_in()["access_token"]
    assert server.stop() == 0
    assert not alive(pid) and not os.path.exists(folder)
    assert server.stop() == 0  # twice is fine


def test_stop_kills_a_hung_server_after_the_bound():
    server = AtmServer().start()
    os.kill(server.pid, signal.SIGSTOP)
    started = time.monotonic()
    assert server.stop(timeout=0.3) == -signal.SIGKILL
    assert time.monotonic() - started >= 0.25
    assert not os.path.exists(server.dir)


def test_toml_text_and_the_context_manager():
    toml = ('[passwords]\nscrypt_log_n = 10\n[[applications]]\nname = "T"\nclient_id = "toml-app"\npublic = true\n'
            'redirect_url = "http://localhost:3000/cb"\n  [[applications.users]]\n  email = "t@example.com"\n'
            '  password = "t-password"\n')
    with AtmServer(toml) as server:
        assert server.applications == [] and server.app is None
        tokens = server.sign_in(client_id="toml-app", email="t@example.com", password="t-password")
        assert decode_jwt(tokens["id_token"])[1]["email"] == "t@example.com"
    assert server.proc.returncode == 0


def test_testing_off_answers_404():
    with AtmServer(testing=False) as server:
        assert server.request("GET", "/_testing")[0] == 404
        with pytest.raises(AtmError) as off:
            server.reset()
        assert off.value.status == 404


def test_odd_strings_survive_the_toml():
    odd = 'Zoë "Q" \\ O\'Brien\ttab'
    config = {"applications": [{"name": odd, "redirect_urls": ["http://localhost:3000/cb"],
                                "users": [{"email": "o@example.com", "first_name": odd,
                                           "claims": {"https://example.com/x": [1, 2]}}]}]}
    assert '"https://example.com/x" = [1, 2]' in to_toml(config)
    with AtmServer(config) as server:
        id_token = decode_jwt(server.sign_in()["id_token"])[1]
        assert id_token["given_name"] == odd


def test_errors_say_what_is_wrong():
    with pytest.raises(RuntimeError, match=r"exited \(2\) before listening[\s\S]*server\.no_such_key"):
        AtmServer({"server": {"no_such_key": 1}}).start()
    with pytest.raises(RuntimeError, match="atm binary not found: /nonexistent/atm"):
        AtmServer(bin="/nonexistent/atm").start()


def test_servers_side_by_side_from_threads():
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(3) as pool:
        servers = list(pool.map(lambda _: AtmServer().start(), range(3)))
    try:
        assert len({s.url for s in servers}) == 3
        a, b = servers[0], servers[1]
        a.put_user("only-on-a-00000000001", client_id=a.app["client_id"], email="a@example.com", password="a-password")
        assert a.sign_in(email="a@example.com", password="a-password")["access_token"]
        with pytest.raises(AtmError) as elsewhere:
            b.sign_in(email="a@example.com", password="a-password")
        assert elsewhere.value.status == 401
    finally:
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda s: s.stop(), servers))
    assert not any(alive(s.pid) for s in servers)
