# A user's conftest.py: the fixtures from atm_testing, and the session's config.
import pytest

pytest_plugins = ["atm_testing"]

APP = {"name": "Py App", "client_id": "py-app", "redirect_urls": ["http://localhost:3000/callback"],
       "users": [{"email": "ann@example.com", "password": "ann-password", "first_name": "Ann",
                  "claims": {"role": "admin"}}]}


@pytest.fixture(scope="session")
def atm_config():
    return {"tokens": {"issuer": "py-tests"}, "applications": [APP]}
