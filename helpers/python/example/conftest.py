import pytest

pytest_plugins = ["atm_testing"]  # atm_testing.py on sys.path: the fixtures atm_server and atm_config


@pytest.fixture(scope="session")
def atm_config():
    return {"applications": [{
        "name": "My App",
        "client_id": "my-app",  # client_secret: generated, in atm_server.app["client_secret"]
        "redirect_urls": ["http://localhost:3000/callback"],
        "users": [{"email": "ann@example.com", "password": "ann-password", "first_name": "Ann"}],
    }]}
