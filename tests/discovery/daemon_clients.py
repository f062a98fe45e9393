"""A TestClient of the daemon's API as a legitimate local client sees it."""

from fastapi.testclient import TestClient

from discovery.api import create_app
from discovery.api_config import HttpConfig
from discovery.api_guard import CLIENT_HEADER

BOUND = HttpConfig()  # 127.0.0.1:8765, the Host the client sends


def api_client(store, home, roots=(), token=None):
    """A client of `create_app` sending the bound Host and the client header on every call."""
    config = HttpConfig(token=token, task_roots=tuple(roots))
    return TestClient(
        create_app(store, home, config),
        base_url=f"http://{BOUND.host}:{BOUND.port}",
        headers={CLIENT_HEADER: "tests"},
    )
