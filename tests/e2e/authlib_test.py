#!/usr/bin/python3
"""Authlib (python3-authlib, Debian), a client library nobody here wrote, against
the real atm binary: the authorization code flow with PKCE (signing in through
the login page's own API, as web/login.js does), ID token validation with
authlib.jose, userinfo, refresh, revocation, introspection, and the
client_credentials grant. Run by ctest with ATM_BIN set; /usr/bin/python3 only.
"""
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
import unittest
from urllib.parse import parse_qs, urljoin, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken

# atm listens on plain HTTP on 127.0.0.1 in tests; authlib refuses that by default.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

ATM_BIN = os.environ.get("ATM_BIN")
WEB_APP = {"client_id": "py-app", "client_secret": "py-app-secret-0123456789",
           "redirect_uri": "http://127.0.0.1:9/py-callback"}
SPA = {"client_id": "py-spa", "redirect_uri": "http://127.0.0.1:9/py-spa-callback"}
USER = {"email": "grace@example.com", "password": "cobol-1959-x", "first_name": "Grace", "last_name": "Hopper"}

CONFIG = """
[passwords]
scrypt_log_n = 10
[keys]
algorithm = "{alg}"

[[applications]]
name = "Python App"
client_id = "{app[client_id]}"
client_secret = "{app[client_secret]}"
redirect_url = "{app[redirect_uri]}"
  [[applications.users]]
  email = "{user[email]}"
  password = "{user[password]}"
  first_name = "{user[first_name]}"
  last_name = "{user[last_name]}"

[[applications]]
name = "Python SPA"
client_id = "{spa[client_id]}"
public = true
redirect_url = "{spa[redirect_uri]}"
  [[applications.users]]
  email = "{user[email]}"
  password = "{user[password]}"
"""


class AtmServer:
    """The binary on 127.0.0.1, port 0, an in-memory database; killed on stop()."""

    def __init__(self, alg, timeout=20.0):
        self.dir = tempfile.mkdtemp(prefix="atm-authlib-")
        config = os.path.join(self.dir, "config.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(alg=alg, app=WEB_APP, spa=SPA, user=USER))
        self.proc = subprocess.Popen([ATM_BIN, "serve", "--config", config, "--port", "0", "--db", ":memory:"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + timeout
        line = ""
        while time.monotonic() < deadline and "listening on" not in line:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.25)
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    break
        if "listening on" not in line:
            self.stop()
            raise RuntimeError("atm did not start within %.0f s" % timeout)
        self.url = line.strip().rsplit(" ", 1)[1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def sign_in(authorization_url):
    """What web/login.js does: follow /authorize to the login page's URL, post
    the credentials with that URL's parameters to /auth, and return the URL
    the browser would land on (the redirect URI with code and state)."""
    first = requests.get(authorization_url, allow_redirects=False, timeout=10)
    assert first.status_code == 302, first.text
    login = urljoin(authorization_url, first.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(urlparse(login).query).items()}
    body = {"loginId": USER["email"], "password": USER["password"], "clientId": query["clientId"],
            "code_challenge": query["code_challenge"], "code_challenge_method": query["code_challenge_method"]}
    for name in ("redirect_uri", "scope", "nonce"):
        if name in query:
            body[name] = query[name]
    answer = requests.post(urljoin(login, "/auth"), json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    landed = requests.Request("GET", data["redirectUrl"], params={"code": data["code"], "state": query.get("state")})
    return landed.prepare().url


class AuthlibFlows(unittest.TestCase):
    ALG = "RS256"

    @classmethod
    def setUpClass(cls):
        cls.server = AtmServer(cls.ALG)
        cls.meta = requests.get(cls.server.url + "/.well-known/openid-configuration", timeout=10).json()
        cls.jwks = JsonWebKey.import_key_set(requests.get(cls.meta["jwks_uri"], timeout=10).json())
        cls.jwt = JsonWebToken([cls.ALG])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def session(self, *args, **kwargs):
        session = OAuth2Session(*args, **kwargs)
        self.addCleanup(session.close)
        return session

    def code_flow(self, session, scope="openid email profile"):
        verifier = generate_token(48)
        nonce = generate_token(20)
        uri, state = session.create_authorization_url(self.meta["authorization_endpoint"], code_verifier=verifier,
                                                      nonce=nonce, scope=scope)
        token = session.fetch_token(self.meta["token_endpoint"], authorization_response=sign_in(uri),
                                    code_verifier=verifier, state=state)
        return token, nonce

    def id_token_claims(self, token, nonce, client_id):
        claims = self.jwt.decode(token["id_token"], self.jwks, claims_cls=CodeIDToken,
                                 claims_options={"iss": {"essential": True, "value": self.meta["issuer"]}},
                                 claims_params={"nonce": nonce, "client_id": client_id,
                                                "access_token": token["access_token"]})
        claims.validate()  # iss, aud, exp, iat, nonce, at_hash, auth_time
        return claims

    def test_discovery_advertises_the_configured_algorithm(self):
        self.assertEqual(self.meta["issuer"], self.server.url)
        self.assertEqual(self.meta["id_token_signing_alg_values_supported"], [self.ALG])
        self.assertEqual(self.meta["response_types_supported"], ["code"])

    def test_code_flow_with_pkce_then_userinfo_refresh_revoke_introspect(self):
        session = self.session(WEB_APP["client_id"], WEB_APP["client_secret"],
                                redirect_uri=WEB_APP["redirect_uri"], code_challenge_method="S256",
                                token_endpoint_auth_method="client_secret_basic")
        token, nonce = self.code_flow(session)
        claims = self.id_token_claims(token, nonce, WEB_APP["client_id"])
        self.assertEqual(claims["email"], USER["email"])
        self.assertEqual(claims["given_name"], USER["first_name"])
        self.assertEqual(token["token_type"].lower(), "bearer")

        me = session.get(self.meta["userinfo_endpoint"], timeout=10)
        self.assertEqual(me.status_code, 200)
        self.assertEqual(me.json()["sub"], claims["sub"])
        self.assertEqual(me.json()["name"], "Grace Hopper")

        old_refresh = token["refresh_token"]
        refreshed = session.refresh_token(self.meta["token_endpoint"], refresh_token=old_refresh)
        self.assertNotEqual(refreshed["refresh_token"], old_refresh)
        self.assertNotEqual(refreshed["access_token"], token["access_token"])
        self.assertEqual(self.jwt.decode(refreshed["id_token"], self.jwks)["sub"], claims["sub"])

        introspect = self.meta["introspection_endpoint"]
        live = session.introspect_token(introspect, token=refreshed["access_token"]).json()
        self.assertTrue(live["active"])
        self.assertEqual(live["client_id"], WEB_APP["client_id"])
        self.assertEqual(live["sub"], claims["sub"])
        self.assertEqual(live["scope"], "openid email profile")

        revoked = session.revoke_token(self.meta["revocation_endpoint"], token=refreshed["refresh_token"],
                                       token_type_hint="refresh_token")
        self.assertEqual(revoked.status_code, 200)
        for t in (refreshed["refresh_token"], refreshed["access_token"]):
            self.assertEqual(session.introspect_token(introspect, token=t).json(), {"active": False})
        self.assertEqual(session.get(self.meta["userinfo_endpoint"], timeout=10).status_code, 401)

    def test_client_secret_post_is_accepted(self):
        session = self.session(WEB_APP["client_id"], WEB_APP["client_secret"],
                                redirect_uri=WEB_APP["redirect_uri"], code_challenge_method="S256",
                                token_endpoint_auth_method="client_secret_post")
        token, nonce = self.code_flow(session, scope="openid")
        claims = self.id_token_claims(token, nonce, WEB_APP["client_id"])
        self.assertNotIn("email", claims)  # no email scope, no email claim

    def test_public_client_uses_pkce_without_a_secret(self):
        session = self.session(SPA["client_id"], redirect_uri=SPA["redirect_uri"], code_challenge_method="S256",
                                token_endpoint_auth_method="none")
        token, nonce = self.code_flow(session, scope="openid email")
        self.assertEqual(self.id_token_claims(token, nonce, SPA["client_id"])["email"], USER["email"])
        refreshed = session.refresh_token(self.meta["token_endpoint"], refresh_token=token["refresh_token"])
        self.assertIn("access_token", refreshed)

    def test_client_credentials_grant(self):
        session = self.session(WEB_APP["client_id"], WEB_APP["client_secret"], scope="reports:read")
        token = session.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials")
        self.assertNotIn("refresh_token", token)
        self.assertNotIn("id_token", token)
        claims = self.jwt.decode(token["access_token"], self.jwks)
        claims.validate()
        self.assertEqual(claims["iss"], self.meta["issuer"])
        self.assertEqual(claims["sub"], WEB_APP["client_id"])
        info = session.introspect_token(self.meta["introspection_endpoint"], token=token["access_token"]).json()
        self.assertTrue(info["active"])
        self.assertEqual(info["scope"], "reports:read")
        self.assertEqual(session.get(self.meta["userinfo_endpoint"], timeout=10).status_code, 403)

    def test_wrong_secret_is_refused(self):
        session = self.session(WEB_APP["client_id"], "not-the-secret-0000000")
        with self.assertRaises(OAuthError) as caught:
            session.fetch_token(self.meta["token_endpoint"], grant_type="client_credentials")
        self.assertEqual(caught.exception.error, "invalid_client")


class AuthlibFlowsES256(AuthlibFlows):
    ALG = "ES256"


if __name__ == "__main__":
    if not ATM_BIN:
        raise SystemExit("ATM_BIN must name the atm binary")
    unittest.main(verbosity=2)
