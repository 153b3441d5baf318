"""Automatic bans (src/guard) through real clients from distinct loopback
source addresses: a password spray gets its source banned at accept while a
user from another address keeps logging in at normal speed; protocol abuse
bans too; the allowlist is never banned; bans survive a restart; `postern
ban` lists, adds and removes them (a running server follows within seconds).
"""

import base64
import imaplib
import re
import smtplib
import socket
import threading
import time

import pytest

from postern_harness import free_port, scram_login

USER = "demo@example.test"


class SourceIMAP(imaplib.IMAP4):
    """imaplib from a chosen local address (127.0.0.x): a distinct client."""

    def __init__(self, host, port, source):
        self.source = source
        super().__init__(host, port, timeout=10)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self.source, 0))


def dropped_at_accept(port, source):
    """True when a connection from `source` is closed without a greeting."""
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as s:
        try:
            return s.recv(100) == b""
        except ConnectionResetError:
            return True


def wait_until(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def guarded(server_factory):
    s = server_factory(start=False, server={"dev_mode": True})
    s.imap_port = free_port()
    s.listeners.append({"protocol": "imap", "address": f"127.0.0.1:{s.imap_port}"})
    s.sub_port = free_port()
    s.listeners.append({"protocol": "submission", "address": f"127.0.0.1:{s.sub_port}"})
    s.sections["guard"] = {"auth_failures": 3, "abuse_events": 5, "window_seconds": 120, "ban_seconds": 60,
                           "account_delay_ms": 200, "allowlist": ["127.0.0.20"]}
    s.write_config()
    s.start()
    return s


def login_seconds(server, source, user, password):
    start = time.monotonic()
    c = SourceIMAP("127.0.0.1", server.imap_port, source)
    c.login(user, password)
    c.logout()
    return time.monotonic() - start


def test_password_spray_bans_the_source_not_the_real_user(guarded):
    s = guarded
    baseline = min(login_seconds(s, "127.0.0.7", USER, s.passwords[USER]) for _ in range(3))
    # The spray: one wrong password per account, as sprayers do.
    for i, victim in enumerate([USER, "alice@example.test", "nobody@example.test"]):
        c = SourceIMAP("127.0.0.1", s.imap_port, "127.0.0.9")
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            c.login(victim, f"Summer2026!{i}")
        c.shutdown()
    s.wait_log(r"event=ban source=127\.0\.0\.9 seconds=60 strike=1 reason=\"3 failed logins", 5)
    # Every protocol is closed to it now, before any greeting or TLS.
    assert dropped_at_accept(s.imap_port, "127.0.0.9")
    assert dropped_at_accept(s.smtp_port, "127.0.0.9")
    assert dropped_at_accept(s.sub_port, "127.0.0.9")
    # The users it tried keep logging in from their own address, unslowed.
    after = [login_seconds(s, "127.0.0.7", u, s.passwords[u]) for u in (USER, "alice@example.test")]
    assert max(after) < baseline + 1.0, (baseline, after)
    listed = s.cli("ban", "list").stdout
    assert re.search(r"^127\.0\.0\.9  until .* strikes=1  reason=\"3 failed logins in 120 s", listed, re.M), listed
    # Bans are kept in the database: a restart does not lift them.
    s.stop()
    s.start()
    assert dropped_at_accept(s.imap_port, "127.0.0.9")
    assert s.cli("ban", "remove", "127.0.0.9").stdout == "removed the ban of 127.0.0.9\n"
    wait_until(lambda: not dropped_at_accept(s.imap_port, "127.0.0.9"), 10, "the removed ban to be lifted")


def test_smtp_auth_failures_and_protocol_abuse_ban(guarded):
    s = guarded
    for guess in ("guess1", "guess2", "guess3"):
        c = smtplib.SMTP("127.0.0.1", s.sub_port, timeout=10, source_address=("127.0.0.10", 0))
        c.ehlo("sprayer.example")
        token = base64.b64encode(f"\0{USER}\0{guess}".encode()).decode()
        assert c.docmd("AUTH", "PLAIN " + token)[0] == 535
        c.close()
    s.wait_log(r"event=ban source=127\.0\.0\.10 ", 5)
    assert dropped_at_accept(s.sub_port, "127.0.0.10")

    # Directory harvesting and junk on the MX port: five errors, then a ban.
    c = smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=10, source_address=("127.0.0.11", 0))
    c.ehlo("harvester.example")
    c.mail("x@elsewhere.example")
    for name in ("aa", "bb", "cc"):
        code, _ = c.rcpt(f"{name}@example.test")
        assert code == 550
    assert c.docmd("FROB")[0] == 500
    assert c.rcpt("someone@not-ours.example")[0] == 554
    c.quit()
    s.wait_log(r"event=ban source=127\.0\.0\.11 .*protocol offenses", 5)
    assert dropped_at_accept(s.smtp_port, "127.0.0.11")


def test_allowlisted_source_is_never_banned(guarded):
    s = guarded
    for _ in range(5):
        c = SourceIMAP("127.0.0.1", s.imap_port, "127.0.0.20")
        with pytest.raises(imaplib.IMAP4.error):
            c.login(USER, "wrong")
        c.shutdown()
    s.wait_log(r"event=ban_skipped_allowlisted source=127\.0\.0\.20", 5)
    assert login_seconds(s, "127.0.0.20", USER, s.passwords[USER]) < 5


def test_ban_cli_add_escalate_remove_and_errors(guarded):
    s = guarded
    assert re.fullmatch(r"banned 127\.0\.0\.13 until .*\n", s.cli("ban", "add", "127.0.0.13", "--for", "1h").stdout)
    wait_until(lambda: dropped_at_accept(s.imap_port, "127.0.0.13"), 10, "the CLI ban to take effect")
    assert "strikes=1" in s.cli("ban", "list").stdout
    s.cli("ban", "add", "127.0.0.13", "--for", "2h", "--reason", "again")
    assert re.search(r"127\.0\.0\.13 .*strikes=2  reason=\"again\"", s.cli("ban", "list").stdout)
    assert s.cli("ban", "add", "2001:db8:1:2::99").stdout.startswith("banned 2001:db8:1:2::/64 until ")
    s.cli("ban", "remove", "127.0.0.13")
    wait_until(lambda: not dropped_at_accept(s.imap_port, "127.0.0.13"), 10, "the CLI removal to take effect")
    for args, message in ((("ban", "add", "not-an-ip"), "is not an IP address"),
                          (("ban", "add", "192.0.2.1", "--for", "5x"), "expected a duration"),
                          (("ban", "remove", "192.0.2.99"), "no ban for 192.0.2.99")):
        p = s.cli(*args, check=False)
        assert p.returncode == 1 and p.stderr.startswith("postern: ") and message in p.stderr, (args, p.stderr)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def legit_round(s):
    """A real user's session from a clean address (127.0.0.7): an SMTP
    delivery to them, then IMAP login, SELECT, FETCH, LOGOUT. Seconds taken."""
    start = time.monotonic()
    with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=30, source_address=("127.0.0.7", 0)) as m:
        m.sendmail("friend@example.org", [USER], b"Subject: hi\r\n\r\nhello\r\n")
    c = SourceIMAP("127.0.0.1", s.imap_port, "127.0.0.7")
    c.login(USER, s.passwords[USER])
    c.select("INBOX")
    c.fetch("1", "(FLAGS)")
    c.logout()
    return time.monotonic() - start


def spray(s, source, use_smtp, stop, results):
    """Wrong passwords for our accounts (and unknown ones) from `source`
    until it is dropped at accept (banned) or `stop` is set."""
    victims = [USER, "alice@example.test", "ceo@example.test", "admin@example.test"]
    tries = 0
    while not stop.is_set():
        victim = victims[tries % len(victims)]
        tries += 1
        try:
            if use_smtp:
                c = smtplib.SMTP("127.0.0.1", s.sub_port, timeout=30, source_address=(source, 0))
                c.ehlo("sprayer.example")
                token = base64.b64encode(f"\0{victim}\0Winter{tries}!".encode()).decode()
                c.docmd("AUTH", "PLAIN " + token)
                c.close()
            else:
                c = SourceIMAP("127.0.0.1", s.imap_port, source)
                try:
                    c.login(victim, f"Winter{tries}!")
                except imaplib.IMAP4.error:
                    pass
                c.shutdown()
        except (OSError, smtplib.SMTPException, imaplib.IMAP4.abort, EOFError):
            # Refused or closed at accept: banned.
            results[source] = tries
            return
    results[source] = None


def test_password_spray_from_many_sources_keeps_the_real_user_at_normal_latency(server_factory):
    s = server_factory(start=False, server={"dev_mode": True})
    s.imap_port = free_port()
    s.listeners.append({"protocol": "imap", "address": f"127.0.0.1:{s.imap_port}"})
    s.sub_port = free_port()
    s.listeners.append({"protocol": "submission", "address": f"127.0.0.1:{s.sub_port}"})
    s.sections["guard"] = {"auth_failures": 3, "window_seconds": 120, "ban_seconds": 120,
                           "account_delay_ms": 100, "max_account_delay_ms": 1000, "allowlist": []}
    s.write_config()
    s.start()
    idle = [legit_round(s) for _ in range(10)]
    stop = threading.Event()
    results = {}
    sources = [f"127.0.2.{i + 1}" for i in range(40)]
    threads = [threading.Thread(target=spray, args=(s, src, i % 2 == 0, stop, results)) for i, src in enumerate(sources)]
    for t in threads:
        t.start()
    attacked = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(t.is_alive() for t in threads):
        attacked.append(legit_round(s))
    stop.set()
    for t in threads:
        t.join(40)
    bans = len(re.findall(r"event=ban source=127\.0\.2\.\d+ ", s.log()))
    print(f"\npassword spray from {len(sources)} addresses: {bans} bans issued; legit client p50/p99: "
          f"idle {percentile(idle, 50):.3f}/{percentile(idle, 99):.3f} s, during the spray "
          f"{percentile(attacked, 50):.3f}/{percentile(attacked, 99):.3f} s ({len(attacked)} rounds)")
    # Every sprayer was banned, after at most a few tries (3 failures, plus
    # attempts in flight when the ban came).
    assert all(results.get(src) is not None for src in sources), results
    assert bans == len(sources)
    assert max(results.values()) <= 8, results
    # The real user, whose account was sprayed, kept its normal latency.
    assert attacked
    assert percentile(attacked, 99) < max(3 * percentile(idle, 99), percentile(idle, 99) + 0.5), (idle, attacked)


def test_scram_failures_are_delayed_and_ban_like_any_other(guarded):
    """SCRAM-SHA-256 fails at the client's proof, a line after the key
    lookup: that failure is answered late and counts towards a ban too."""
    s = guarded
    for guess in ("guess1", "guess2", "guess3"):
        c = smtplib.SMTP("127.0.0.1", s.sub_port, timeout=10, source_address=("127.0.0.12", 0))
        c.ehlo("scram-sprayer.example")
        start = time.monotonic()
        code, _ = scram_login(c, USER, guess)
        assert code == 535
        assert time.monotonic() - start >= 0.9, "a failed proof must be answered late"
        c.close()
    s.wait_log(r"event=ban source=127\.0\.0\.12 ", 5)
    assert dropped_at_accept(s.sub_port, "127.0.0.12")
    assert len(re.findall(r"event=auth_failed .*ip=127\.0\.0\.12 user=demo@example\.test", s.log())) == 3
    # The right password from elsewhere still works, and is logged once.
    c = smtplib.SMTP("127.0.0.1", s.sub_port, timeout=10, source_address=("127.0.0.13", 0))
    c.ehlo("client.example")
    assert scram_login(c, USER, s.passwords[USER]) == (235, True)
    c.quit()
    assert len(re.findall(r"event=auth_succeeded .*user=demo@example\.test", s.log())) == 1
