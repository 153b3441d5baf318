"""Slowloris: clients that open many connections and trickle a command one
byte at a time, never finishing it (each byte would restart a plain read
timeout). The server must drop them once a command line has taken longer
than line_timeout_seconds, and keep serving a legitimate client at normal
latency throughout. Prints the latency figures (p50/p99 idle vs under
attack). Bounded: 120 attacking connections for at most 15 s.
"""

import imaplib
import smtplib
import socket
import statistics
import threading
import time

import pytest

from postern_harness import free_port

USER = "demo@example.test"


@pytest.fixture
def target(server_factory):
    s = server_factory(start=False, server={"dev_mode": True},
                       smtp={"line_timeout_seconds": 3, "max_connections_per_ip": 100})
    s.imap_port = free_port()
    s.listeners.append({"protocol": "imap", "address": f"127.0.0.1:{s.imap_port}"})
    s.sections["imap"] = {"line_timeout_seconds": 3}
    s.sections["guard"] = {"allowlist": []}
    s.write_config()
    s.start()
    return s


def legit_round(s):
    """One SMTP delivery and one IMAP login+select+fetch from 127.0.0.7; seconds taken."""
    start = time.monotonic()
    with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=30, source_address=("127.0.0.7", 0)) as c:
        c.sendmail("friend@example.org", [USER], b"Subject: hi\r\n\r\nhello\r\n")
    c = imaplib.IMAP4("127.0.0.1", s.imap_port, timeout=30)
    c.login(USER, s.passwords[USER])
    c.select("INBOX")
    c.fetch("1", "(FLAGS)")
    c.logout()
    return time.monotonic() - start


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def trickle(port, source, first, closed_after, stop):
    """Connects and sends `first` one byte per second, never a line end."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20, source_address=(source, 0)) as sock:
            sock.settimeout(1.0)
            try:
                sock.recv(1000)  # greeting
            except socket.timeout:
                pass
            i = 0
            while not stop.is_set():
                try:
                    sock.sendall(first[i % len(first)].encode())
                except OSError:
                    break
                i += 1
                try:
                    data = sock.recv(1000)
                    if data == b"" or b"421" in data or b"BYE" in data:
                        break
                except socket.timeout:
                    pass
    except OSError:
        pass
    closed_after.append(time.monotonic() - start)


def test_slowloris_is_cut_off_and_a_legit_client_keeps_normal_latency(target):
    s = target
    idle = [legit_round(s) for _ in range(10)]
    stop = threading.Event()
    closed = []
    threads = []
    for i in range(60):
        src = f"127.0.1.{i + 1}"
        threads.append(threading.Thread(target=trickle, args=(s.smtp_port, src, "EHLO slowly.example", closed, stop)))
        threads.append(threading.Thread(target=trickle, args=(s.imap_port, src, "a LOGIN slowly", closed, stop)))
    for t in threads:
        t.start()
    attacked = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(closed) < len(threads):
        attacked.append(legit_round(s))
    stop.set()
    for t in threads:
        t.join(30)
    print(f"\nlegit client p50/p99: idle {statistics.median(idle):.3f}/{percentile(idle, 99):.3f} s, "
          f"under slowloris {statistics.median(attacked):.3f}/{percentile(attacked, 99):.3f} s "
          f"({len(attacked)} rounds); slowloris connections cut after "
          f"{min(closed):.1f}..{max(closed):.1f} s")
    assert len(closed) == len(threads)
    # Cut off by the 3 s line timeout, not by the 60 s login or 300 s command timeouts.
    assert max(closed) < 10, sorted(closed)[-5:]
    assert percentile(attacked, 99) < max(3 * percentile(idle, 99), percentile(idle, 99) + 0.5), (idle, attacked)
    assert "event=line_timeout" in s.log()
