"""atm test helper for Python 3.9+ (standard library only) and a pytest fixture.

Copy this file next to your tests (or put helpers/python on sys.path), then in
conftest.py:

    pytest_plugins = ["atm_testing"]       # the fixtures atm_config, atm_server_session, atm_server

and in a test:

    def test_login(atm_server):
        tokens = atm_server.sign_in()
        assert atm_server.records("login")[0]["status"] == 200

AtmServer starts the atm binary (argument ``bin``, else $ATM_BIN, else ``atm``
on PATH) on 127.0.0.1, port 0, with an in-memory database and the
test-control API on (``--testing``), from a config it writes to a fresh
temporary folder: a dict shaped like atm's TOML config, or TOML text. It waits
for the line ``atm listening on http://HOST:PORT``; stop() sends SIGTERM, then
SIGKILL after a bound, and removes the folder. Documented in atm's README.md,
"Testing against atm" > "Drop-in helpers".
"""
import atexit
import base64
import collections
import copy
import hashlib
import json
import math
import os
import re
import secrets
import select
import shutil
import string
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["AtmError", "AtmServer", "default_config", "normalize_config", "to_toml", "pkce", "decode_jwt",
           "atm_config", "atm_server_session", "atm_server"]

_LISTENING = re.compile(r"^atm listening on (https?://\S+)$")
_ALPHABET = string.ascii_letters + string.digits
# 127.0.0.1 only: never through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_RUNNING = set()


@atexit.register
def _kill_forgotten():
    """A test run that ends without stop() leaves no server behind."""
    for server in list(_RUNNING):
        server.stop(timeout=1.0)


class AtmError(Exception):
    """An answer of atm that was not a 2xx: ``status`` and ``body`` (parsed JSON when it is JSON)."""

    def __init__(self, method, url, status, body):
        detail = f"{body.get('error')}: {body.get('error_description', '')}" if isinstance(body, dict) else body
        super().__init__(f"{method} {url} answered {status} ({detail})")
        self.status = status
        self.body = body


def _random_id(n):
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def default_config():
    """The config used when none is given: one confidential application with one user."""
    return {"applications": [{
        "name": "Test App",
        "redirect_urls": ["http://localhost:3000/callback"],
        "users": [{"email": "user@example.com", "first_name": "Test", "last_name": "User"}],
    }]}


def normalize_config(config):
    """Fills in what the helper must know to hand back credentials: a client id and (unless
    public) a secret per application, a password per user without one or a password_hash;
    cheap scrypt and 127.0.0.1 unless set."""
    c = copy.deepcopy(config)
    c["server"] = {"host": "127.0.0.1", **c.get("server", {})}
    c["passwords"] = {"scrypt_log_n": 10, **c.get("passwords", {})}
    for app in c.get("applications", []):
        app.setdefault("client_id", _random_id(20))
        if not app.get("public"):
            app.setdefault("client_secret", _random_id(32))
        for user in app.get("users", []):
            if "password_hash" not in user:
                user.setdefault("password", _random_id(16))
    return c


def _is_table(v):
    return isinstance(v, dict)


def _is_table_array(v):
    return isinstance(v, list) and len(v) > 0 and all(isinstance(x, dict) for x in v)


def _key(k):
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _value(v, where):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)  # JSON's escapes are TOML basic-string escapes
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x, f"{where}[{i}]") for i, x in enumerate(v)) + "]"
    if isinstance(v, dict):
        parts = [f"{_key(k)} = {_value(x, f'{where}.{k}')}" for k, x in v.items() if x is not None]
        return "{ " + ", ".join(parts) + " }"
    raise TypeError(f"atm config: {where}: cannot write a {type(v).__name__} as TOML")


def to_toml(obj):
    """A dict as TOML: dicts become tables, lists of dicts arrays of tables, the rest values
    (None is left out)."""
    lines = []

    def emit(keys, table, array_element):
        if keys:
            name = ".".join(keys)
            lines.extend(["", f"[[{name}]]" if array_element else f"[{name}]"])
        entries = [(k, v) for k, v in table.items() if v is not None]
        for k, v in entries:
            if not _is_table(v) and not _is_table_array(v):
                lines.append(f"{_key(k)} = {_value(v, '.'.join(keys + [k]))}")
        for k, v in entries:
            if _is_table(v):
                emit(keys + [_key(k)], v, False)
        for k, v in entries:
            if _is_table_array(v):
                for e in v:
                    emit(keys + [_key(k)], e, True)

    emit([], obj, False)
    return "\n".join(lines).lstrip() + "\n"


def pkce():
    """A PKCE pair (RFC 7636 S256): (verifier, challenge)."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def decode_jwt(token):
    """A JWT's (header, payload), not verified (for assertions)."""
    def part(p):
        return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    header, payload = token.split(".")[:2]
    return part(header), part(payload)


class AtmServer:
    """One atm process for tests. ``config``: a dict shaped like atm's TOML config (default
    default_config()) or TOML text (then ``applications`` is empty: the helper does not parse
    TOML). ``testing=False`` leaves the control API off. Use start()/stop() or ``with``."""

    def __init__(self, config=None, *, bin=None, testing=True, args=(), env=None, timeout=10.0,
                 stop_timeout=5.0):
        self.bin = bin or os.environ.get("ATM_BIN") or "atm"
        self.testing = testing
        self.args = list(args)
        self.env = env or {}
        self.timeout = timeout
        self.stop_timeout = stop_timeout
        config = default_config() if config is None else config
        self._text = config if isinstance(config, str) else None
        self.config = None if self._text is not None else normalize_config(config)
        self.applications = [] if self.config is None else self.config.get("applications", [])
        self.proc = None
        self.dir = None
        self.url = None
        self._stderr = collections.deque(maxlen=200)

    # -- life cycle --------------------------------------------------------------------------

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="atm-test-")
        self.config_path = os.path.join(self.dir, "config.toml")
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self._text if self._text is not None else to_toml(self.config))
        argv = [self.bin, "serve", "--config", self.config_path, "--port", "0", "--db", ":memory:"]
        argv += ["--testing"] if self.testing else []
        argv += self.args
        try:
            self.proc = subprocess.Popen(argv, cwd=self.dir, env={**os.environ, **self.env},
                                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE)
        except FileNotFoundError:
            self._remove_dir()
            raise RuntimeError(f"atm binary not found: {self.bin} (pass bin=, set ATM_BIN, or put atm on PATH)")
        _RUNNING.add(self)
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        try:
            self.url = self._wait_listening()
        except Exception:
            self.stop()
            raise
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        self.issuer = self.url
        try:
            self.issuer = self.get_json("/.well-known/openid-configuration").get("issuer", self.url)
        except Exception:  # later calls fail with their own error
            pass
        return self

    def _wait_listening(self):
        deadline = time.monotonic() + self.timeout
        out = self.proc.stdout
        buffered = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"atm did not print its listening line within {self.timeout} s\n{self.stderr()}")
            ready, _, _ = select.select([out], [], [], left)
            if not ready:
                continue
            chunk = os.read(out.fileno(), 4096)
            if not chunk:
                self.proc.wait(timeout=self.stop_timeout)
                self._stderr_thread.join(timeout=1.0)  # atm's last words
                raise RuntimeError(f"atm exited ({self.proc.returncode}) before listening\n{self.stderr()}")
            buffered += chunk
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                m = _LISTENING.match(line.decode("utf-8", "replace"))
                if m:
                    return m.group(1)

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))

    def _drain_stdout(self):
        while self.proc.stdout.read(4096):
            pass

    def stderr(self):
        """The last lines atm wrote to stderr (its log)."""
        return "".join(self._stderr)

    def stop(self, timeout=None):
        """SIGTERM, SIGKILL after ``timeout`` (default stop_timeout); removes the temporary
        folder. Returns the exit status. Safe to call twice."""
        timeout = self.stop_timeout if timeout is None else timeout
        code = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            code = self.proc.returncode
        _RUNNING.discard(self)
        self._remove_dir()
        return code

    def _remove_dir(self):
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- what a test needs to know -----------------------------------------------------------

    @property
    def pid(self):
        return self.proc.pid

    @property
    def urls(self):
        b = self.url
        return {"base": b, "issuer": self.issuer, "discovery": f"{b}/.well-known/openid-configuration",
                "jwks": f"{b}/.well-known/jwks.json", "atm_jwks": f"{b}/auth/.well-known/jwks.json",
                "authorize": f"{b}/authorize", "token": f"{b}/token", "userinfo": f"{b}/userinfo",
                "revoke": f"{b}/revoke", "introspect": f"{b}/introspect", "logout": f"{b}/logout",
                "login": f"{b}/login", "auth": f"{b}/auth", "atm_token": f"{b}/auth/token",
                "testing": f"{b}/_testing"}

    @property
    def atm_issuer(self):
        """``iss`` of the ATM endpoints' tokens (tokens.issuer; 'atm' unless the config says)."""
        return ((self.config or {}).get("tokens") or {}).get("issuer", "atm")

    @property
    def app(self):
        """The first application (client_id, client_secret, redirect_urls, users...)."""
        return self.applications[0] if self.applications else None

    @property
    def user(self):
        """The first user of the first application (email, password, ...)."""
        return self.app["users"][0] if self.app and self.app.get("users") else None

    # -- HTTP --------------------------------------------------------------------------------

    def request(self, method, path_or_url, body=None, headers=None, timeout=30.0):
        """Any request to atm: (status, headers, body parsed when JSON); never raises on a status.
        The bound is generous: a fresh server's first token waits for its signing key, generated
        in the background at low priority (slow on a busy machine)."""
        url = path_or_url if re.match(r"https?:", path_or_url) else self.url + path_or_url
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with _OPENER.open(req, timeout=timeout) as res:
                status, res_headers, raw = res.status, res.headers, res.read()
        except urllib.error.HTTPError as e:
            status, res_headers, raw = e.code, e.headers, e.read()
        parsed = raw.decode("utf-8", "replace")
        if (res_headers.get("content-type") or "").startswith("application/json") and raw:
            parsed = json.loads(raw)
        return status, res_headers, parsed

    def get_json(self, path):
        status, _, body = self.request("GET", path)
        if not 200 <= status <= 299:
            raise AtmError("GET", path, status, body)
        return body

    def control(self, method, sub_path, body=None):
        """A control-API call: the parsed body of a 2xx, else raises AtmError."""
        path = "/_testing" + sub_path
        status, _, answer = self.request(method, path, body)
        if not 200 <= status <= 299:
            raise AtmError(method, path, status, answer)
        return answer

    # -- the control API (/_testing) ---------------------------------------------------------

    def status(self):
        return self.control("GET", "")

    def mint_token(self, **spec):
        """POST /_testing/tokens: client_id, user, sub, scope, claims, aud, iss, iat, nbf, exp,
        expires_in, broken. client_id defaults to the first application's for a ``sub``, or a
        ``user`` given by email."""
        by_email = isinstance(spec.get("user"), str) and "@" in spec["user"]
        if "client_id" not in spec and "aud" not in spec and self.app and (by_email or "sub" in spec):
            spec["client_id"] = self.app["client_id"]
        return self.control("POST", "/tokens", spec)

    def put_application(self, client_id, **app):
        return self.control("PUT", "/applications/" + urllib.parse.quote(client_id, safe=""), app)

    def put_user(self, user_id, **user):
        return self.control("PUT", "/users/" + urllib.parse.quote(user_id, safe=""), user)

    def reset(self):
        return self.control("POST", "/reset")

    def clock(self):
        return self.control("GET", "/clock")

    def advance_clock(self, seconds):
        return self.control("POST", "/clock", {"advance": seconds})

    def set_clock(self, epoch_seconds):
        return self.control("POST", "/clock", {"set": epoch_seconds})

    def reset_clock(self):
        return self.control("DELETE", "/clock")

    def fail_next(self, path, **failure):
        """POST /_testing/failures: the next ``count`` requests to ``path`` fail (error, status,
        error_description, client_id) or wait ``delay_ms``."""
        return self.control("POST", "/failures", {"path": path, **failure})

    def failures(self):
        """The failures still pending (list)."""
        return self.control("GET", "/failures")["failures"]

    def clear_failures(self):
        return self.control("DELETE", "/failures")

    def records(self, kind=None):
        query = "?kind=" + urllib.parse.quote(kind) if kind else ""
        return self.control("GET", "/records" + query)["records"]

    def clear_records(self):
        return self.control("DELETE", "/records")

    # -- a sign-in ---------------------------------------------------------------------------

    def sign_in(self, app=None, user=None, client_id=None, client_secret=None, email=None, password=None):
        """Signs a user in through the ATM API as the login page does (POST /auth with PKCE),
        then exchanges the code at POST /auth/token; returns the token answer. Defaults: the
        first application and its first user; a client_id or email that the config names finds
        its secret or password. Raises AtmError on a refusal."""
        if app is None:
            app = self.app if client_id is None else next(
                (a for a in self.applications if a.get("client_id") == client_id), None)
        app = app or {}
        if user is None:
            users = app.get("users") or []
            user = (users[0] if users else None) if email is None else next(
                (u for u in users if u.get("email") == email), None)
        user = user or {}
        client_id = client_id or app.get("client_id")
        client_secret = client_secret or app.get("client_secret")
        email = email or user.get("email")
        password = password or user.get("password")
        verifier, challenge = pkce()
        status, _, auth = self.request("POST", "/auth", {
            "loginId": email, "password": password, "clientId": client_id,
            "code_challenge": challenge, "code_challenge_method": "S256"})
        if status != 200:
            raise AtmError("POST", "/auth", status, auth)
        exchange = {"clientId": client_id, "grant_type": "authorization_code", "code": auth["code"],
                    "code_verifier": verifier}
        if client_secret:
            exchange["clientSecret"] = client_secret
        status, _, tokens = self.request("POST", "/auth/token", exchange)
        if status != 200:
            raise AtmError("POST", "/auth/token", status, tokens)
        return tokens


# -- pytest fixtures (pytest_plugins = ["atm_testing"] in conftest.py) ------------------------

try:
    import pytest
except ImportError:  # the class works without pytest
    pytest = None

if pytest is not None:
    @pytest.fixture(scope="session")
    def atm_config():
        """The config of the session's server: override this fixture in conftest.py with a
        dict shaped like atm's TOML config, or TOML text."""
        return default_config()

    @pytest.fixture(scope="session")
    def atm_server_session(atm_config):
        """One atm for the whole session (started once, stopped at the end)."""
        server = AtmServer(atm_config).start()
        yield server
        server.stop()

    @pytest.fixture
    def atm_server(atm_server_session):
        """The session's atm, reset to the config's seed (POST /_testing/reset) before each test."""
        atm_server_session.reset()
        return atm_server_session
