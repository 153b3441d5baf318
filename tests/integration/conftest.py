"""Fixtures for the integration suite: a real `postern serve` on loopback.

    server          started server; domain example.test; users demo@, alice@, bob@
    server_factory  make_server(**Server kwargs, start=True) for custom configs
    imap_server     started dev_mode server with loopback `imap` (plaintext
                    passwords allowed) and `imaps` listeners: .imap_port, .imaps_port
    tls_cert        (cert, key) of a self-signed certificate made once per session

A failed test prints the server log(s) in its "Captured stdout teardown".
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from postern_harness import Server, free_port, make_cert  # noqa: E402

DEFAULT_USERS = ("demo@example.test", "alice@example.test", "bob@example.test")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory):
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def server_factory(request, tmp_path, tls_cert):
    made = []

    def make(start=True, **kwargs):
        kwargs.setdefault("users", DEFAULT_USERS)
        s = Server(tmp_path / f"server{len(made)}", *tls_cert, **kwargs)
        made.append(s)
        if start:
            s.start()
        return s

    yield make
    failed = any(getattr(request.node, "rep_" + w, None) is not None and getattr(request.node, "rep_" + w).failed
                 for w in ("setup", "call"))
    for s in made:
        s.cleanup()
        if failed:
            print(f"\n===== server log {s.log_path} =====\n{s.log()}")


@pytest.fixture
def server(server_factory):
    return server_factory()


@pytest.fixture
def imap_server(server_factory):
    s = server_factory(start=False, server={"dev_mode": True})
    s.imap_port = free_port()
    s.imaps_port = free_port()
    s.listeners.append({"protocol": "imap", "address": f"127.0.0.1:{s.imap_port}"})
    s.listeners.append({"protocol": "imaps", "address": f"127.0.0.1:{s.imaps_port}"})
    s.write_config()
    s.start()
    return s
