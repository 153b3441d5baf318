"""Outbound connection reuse (Postfix's connection cache) against a real SMTP
server: aiosmtpd on loopback that notes, for every message, the TCP
connection (client address and port) it arrived on.

    sender  Postern (domain a.example, user sender@a.example); its queue
            relays through the sink as smarthost, or finds it as the MX of
            b.example and c.example through the test DNS server
    sink    aiosmtpd on 127.0.0.1; refuses RCPT nobody@ (550) and content
            containing REJECT-ME (554 at the final dot); optionally drops a
            connection that has carried N messages when the next MAIL comes

What it shows: many messages to one destination share a few connections
(EHLO, STARTTLS, AUTH paid once), a 5xx for one message does not disturb
the next one on the same connection, a connection the server dropped is
noticed and the message goes again on a new one, delivered exactly once and
without an attempt counted, and the reuse limits are kept.
"""

import collections
import re
import smtplib
import ssl
import threading

import pytest
from aiosmtpd.controller import Controller
from dnslib import MX, A
from dnslib.server import DNSServer

from postern_harness import free_port, make_cert, unverified_context
from test_outbound import Zone, queue_ids, wait_for


class CountingSink:
    """aiosmtpd handler: records (connection, sender, recipients, content) per
    accepted message and every connection that said EHLO."""

    def __init__(self, drop_after=None, drop_with_421=False):
        self.lock = threading.Lock()
        self.messages = []
        self.connections = []            # peers, in order of their first EHLO
        self.per_connection = collections.Counter()
        self.quits = 0
        self.drops = 0
        self.drop_after = drop_after     # messages a connection may carry before its next MAIL is dropped
        self.drop_with_421 = drop_with_421
        self.logins = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # aiosmtpd leaves this to an EHLO hook
        with self.lock:
            if session.peer not in self.connections:
                self.connections.append(session.peer)
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            drop = self.drop_after is not None and self.per_connection[session.peer] >= self.drop_after
            if drop:
                self.drops += 1
        if drop and self.drop_with_421:
            return "421 4.4.2 sink closing this connection"
        if drop:
            server.transport.abort()  # gone without a word, as a crashed or restarted server
            return "421 unheard"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("nobody@"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if b"REJECT-ME" in envelope.content:
            return "554 5.7.1 rejected as spam"
        with self.lock:
            self.per_connection[session.peer] += 1
            self.messages.append((session.peer, envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Ok: queued"

    async def handle_QUIT(self, server, session, envelope):
        with self.lock:
            self.quits += 1
        return "221 Bye"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        with self.lock:
            self.logins.append(auth_data.login)
        return AuthResult(success=auth_data.login == b"relayuser" and auth_data.password == b"relay secret")

    def count(self, needle):
        with self.lock:
            return sum(1 for m in self.messages if needle.encode() in m[3])

    def used_connections(self):
        with self.lock:
            return len({m[0] for m in self.messages})


@pytest.fixture
def sink_server():
    made = []

    def start(handler, port=None, **kw):
        c = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **kw)
        c.start()
        made.append(c)
        return c.port

    yield start
    for c in made:
        c.stop()


def relay_sender(server_factory, port, **queue):
    settings = {"smarthost": f"127.0.0.1:{port}", "smarthost_tls": "none", "retry_schedule_seconds": [1, 2],
                "scan_interval_seconds": 1, "delay_warning_seconds": 0, "connect_timeout_seconds": 3}
    settings.update(queue)
    s = server_factory(start=False, domains=("a.example",), users=("sender@a.example",),
                       server={"hostname": "mail.a.example"}, queue=settings)
    s.sub_port = free_port()
    s.listeners.append({"protocol": "submission", "address": f"127.0.0.1:{s.sub_port}"})
    s.write_config()
    s.start()
    return s


def submit_many(server, messages):
    """Submits [(recipients, subject, body)] over one authenticated session."""
    with smtplib.SMTP("127.0.0.1", server.sub_port, timeout=10) as c:
        c.starttls(context=unverified_context())
        c.login("sender@a.example", server.passwords["sender@a.example"])
        for rcpts, subject, body in messages:
            msg = (f"From: sender@a.example\r\nTo: {', '.join(rcpts)}\r\nSubject: {subject}\r\n"
                   f"Message-ID: <{subject.replace(' ', '.')}@a.example>\r\n\r\n{body}\r\n")
            assert c.sendmail("sender@a.example", rcpts, msg) == {}


def attempts_logged(server):
    return [int(a) for a in re.findall(r"event=queue_attempt .*? attempt=(\d+)", server.log())]


def test_many_messages_to_the_smarthost_share_few_connections(server_factory, sink_server):
    sink = CountingSink()
    port = sink_server(sink)
    sender = relay_sender(server_factory, port, max_concurrent_deliveries=2, max_per_domain=2)
    n = 40
    submit_many(sender, [([f"r{i}@far.example"], f"reuse {i}", "hello") for i in range(n)])
    wait_for(lambda: len(sink.messages) == n, 30, f"{n} messages at the sink")
    wait_for(lambda: queue_ids(sender) == [], 10, "the queue to empty")
    for i in range(n):
        assert sink.count(f"<reuse.{i}@a.example>") == 1, i
    # At most two deliveries at a time, each connection kept for the next
    # message: two connections (EHLO twice), not forty.
    assert sink.used_connections() <= 2, sink.per_connection
    assert len(sink.connections) <= 2
    assert sender.log().count("event=smtp_client_connected") == len(sink.connections)
    assert attempts_logged(sender) == [1] * n


def test_reuse_keeps_tls_and_login_of_the_first_message(server_factory, sink_server, tmp_path):
    cert, key = make_cert(tmp_path / "relay", cn="relay.example")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    sink = CountingSink()
    port = sink_server(sink, tls_context=tls, require_starttls=True, authenticator=sink.authenticate,
                       auth_require_tls=True, auth_required=True)
    creds = tmp_path / "relay.secret"
    creds.write_text("relayuser:relay secret\n")
    creds.chmod(0o600)
    sender = relay_sender(server_factory, port, smarthost_tls="starttls", smarthost_credentials_file=str(creds),
                          smarthost_ca_file=str(cert), max_concurrent_deliveries=1)
    submit_many(sender, [([f"r{i}@far.example"], f"tls reuse {i}", "hello") for i in range(8)])
    wait_for(lambda: len(sink.messages) == 8, 30, "8 messages at the sink")
    assert sink.used_connections() == 1, sink.per_connection
    assert sink.logins == [b"relayuser"]  # one STARTTLS, one AUTH for all eight
    assert sender.log().count("event=smtp_client_tls ") == 1


def test_a_refusal_mid_connection_bounces_only_that_message(server_factory, sink_server):
    sink = CountingSink()
    port = sink_server(sink)
    sender = relay_sender(server_factory, port, max_concurrent_deliveries=1)
    submit_many(sender, [
        (["one@far.example"], "good one", "fine"),
        (["nobody@far.example"], "to nobody", "fine"),
        (["two@far.example"], "bad content", "REJECT-ME please"),
        (["three@far.example", "nobody@far.example"], "half good", "fine"),
        (["four@far.example"], "good four", "fine"),
    ])
    wait_for(lambda: len(sender.messages("sender@a.example")) == 3, 30, "three DSNs in the sender's INBOX")
    wait_for(lambda: queue_ids(sender) == [], 10, "the queue to empty")
    # The good ones arrived once each, all over the one connection.
    for subject in ("good one", "half good", "good four"):
        assert sink.count(f"Subject: {subject}") == 1, subject
    assert len(sink.messages) == 3
    assert sink.used_connections() == 1 and len(sink.connections) == 1, sink.connections
    assert sink.messages[1][2] == ["three@far.example"]
    dsns = b"\n".join(sender.stored("sender@a.example").values())
    assert dsns.count(b"Final-Recipient: rfc822; nobody@far.example") == 2
    assert b"Final-Recipient: rfc822; two@far.example" in dsns
    assert b"Diagnostic-Code: smtp; 554 5.7.1 rejected as spam" in dsns
    for good in (b"one@far.example", b"three@far.example", b"four@far.example"):
        assert b"Final-Recipient: rfc822; " + good not in dsns
    assert "event=smtp_client_reuse_failed" not in sender.log()


@pytest.mark.parametrize("with_421", [False, True], ids=["dropped", "421"])
def test_a_connection_the_server_dropped_is_replaced_without_losing_or_doubling(server_factory, sink_server,
                                                                              with_421):
    # The sink takes three messages per connection, then drops it (or says
    # 421) when the fourth MAIL comes: that message goes again at once on a
    # new connection, and counts no failed attempt.
    sink = CountingSink(drop_after=3, drop_with_421=with_421)
    port = sink_server(sink)
    sender = relay_sender(server_factory, port, max_concurrent_deliveries=1)
    n = 10
    submit_many(sender, [([f"r{i}@far.example"], f"drop {i}", "hello") for i in range(n)])
    wait_for(lambda: len(sink.messages) == n, 30, f"{n} messages at the sink")
    wait_for(lambda: queue_ids(sender) == [], 10, "the queue to empty")
    for i in range(n):
        assert sink.count(f"<drop.{i}@a.example>") == 1, i  # exactly once each
    assert sink.drops == 3
    assert max(sink.per_connection.values()) == 3
    assert sink.used_connections() == 4
    log = sender.log()
    assert log.count("event=smtp_client_reuse_failed") == 3
    assert attempts_logged(sender) == [1] * n
    assert "state=pending" not in log


def test_reuse_limits_messages_and_idle_time(server_factory, sink_server):
    sink = CountingSink()
    port = sink_server(sink)
    sender = relay_sender(server_factory, port, max_concurrent_deliveries=1, connection_reuse_messages=3,
                          connection_idle_seconds=1)
    submit_many(sender, [([f"r{i}@far.example"], f"limit {i}", "hello") for i in range(7)])
    wait_for(lambda: len(sink.messages) == 7, 30, "7 messages at the sink")
    # Three messages per connection at most: 3 + 3 + 1.
    assert sorted(sink.per_connection.values()) == [1, 3, 3]
    # The last connection is closed with QUIT once idle for a second.
    wait_for(lambda: sink.quits == 3, 10, "QUIT on every connection")
    submit_many(sender, [(["late@far.example"], "after idle", "hello")])
    wait_for(lambda: len(sink.messages) == 8, 30, "the late message")
    assert sink.used_connections() == 4


def test_reuse_per_mx_host_across_domains(server_factory, sink_server):
    """Two domains with the same MX host: their messages share connections."""
    mx_port = free_port()
    dns_port = free_port()
    zone = Zone({
        ("b.example", "MX"): [MX("mx.shared.example", 10)],
        ("c.example", "MX"): [MX("mx.shared.example", 10)],
        ("mx.shared.example", "A"): [A("127.0.0.1")],
    })
    dns = DNSServer(zone, port=dns_port, address="127.0.0.1", tcp=False)
    dns.start_thread()
    try:
        sink = CountingSink()
        sink_server(sink, port=mx_port)
        sender = server_factory(
            start=False, domains=("a.example",), users=("sender@a.example",), server={"hostname": "mail.a.example"},
            queue={"resolver": f"127.0.0.1@{dns_port}", "remote_port": mx_port, "retry_schedule_seconds": [1],
                   "scan_interval_seconds": 1, "delay_warning_seconds": 0, "max_concurrent_deliveries": 1})
        sender.sub_port = free_port()
        sender.listeners.append({"protocol": "submission", "address": f"127.0.0.1:{sender.sub_port}"})
        sender.write_config()
        sender.start()
        submit_many(sender, [([f"u{i}@{'b' if i % 2 else 'c'}.example"], f"mx {i}", "hello") for i in range(10)])
        wait_for(lambda: len(sink.messages) == 10, 30, "10 messages at the MX")
        assert sink.used_connections() == 1, sink.per_connection
        assert {m[2][0].split("@")[1] for m in sink.messages} == {"b.example", "c.example"}
    finally:
        dns.stop()


def test_without_reuse_every_message_has_its_own_connection(server_factory, sink_server):
    sink = CountingSink()
    port = sink_server(sink)
    sender = relay_sender(server_factory, port, max_concurrent_deliveries=1, connection_reuse_messages=1)
    submit_many(sender, [([f"r{i}@far.example"], f"single {i}", "hello") for i in range(4)])
    wait_for(lambda: len(sink.messages) == 4, 30, "4 messages at the sink")
    wait_for(lambda: sink.quits == 4, 10, "QUIT after each message")
    assert sink.used_connections() == 4
