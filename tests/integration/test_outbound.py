"""Outbound delivery end to end: the queue, MX lookup through a real DNS
server (dnslib) on loopback, the SMTP client, retries and DSNs.

Topology (loopback aliases need no setup on Linux):
    127.0.0.1:<dns>    test DNS server: MX/A records for the test domains
    sender  Postern    domain a.example, user sender@a.example; queue runner on
    127.0.0.3:<mx>     receiving Postern for b.example (user alice@b.example)
    127.0.0.4:<mx>     aiosmtpd sink for sink.example (refuses nobody@, 550)
    127.0.0.5:<mx>     nothing listening at first (later.example), then a sink
The domains are under .example: libunbound answers .test itself (NXDOMAIN,
an RFC 6761 special-use name) without asking the forwarder.
Messages enter the queue through authenticated submission, or through
`postern queue inject` (the operator's sendmail-like admin command).
DKIM: the sender's keys are published as TXT records in the same test DNS
server, and dkimpy verifies what the receiver stored by asking that server.
"""

import re
import smtplib
import socket
import threading
import time

import dkim
import pytest
from aiosmtpd.controller import Controller
from dnslib import MX, QTYPE, RCODE, RR, TXT, A, DNSRecord
from dnslib.server import BaseResolver, DNSServer

from postern_harness import free_port, make_cert, unverified_context, zone_records


class Zone(BaseResolver):
    """Answers from a dict {(name, "MX"|"A"): [rdata]}; unknown names NXDOMAIN."""

    def __init__(self, records):
        self.records = records

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        if not any(n == name for n, _ in self.records):
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for rdata in self.records.get((name, qtype), []):
            reply.add_answer(RR(request.q.qname, request.q.qtype, rdata=rdata, ttl=0))
        return reply


class Sink:
    """An aiosmtpd MX that keeps what it receives; RCPT nobody@ gets a 550."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("nobody@"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Ok: queued"

    def count(self, needle):
        with self.lock:
            return sum(1 for _, _, c in self.messages if needle.encode() in c)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def port_free_on(host, port):
    with socket.socket() as s:
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


@pytest.fixture
def net(server_factory):
    mx_port = free_port()
    while not all(port_free_on(h, mx_port) for h in ("127.0.0.3", "127.0.0.4", "127.0.0.5")):
        mx_port = free_port()
    dns_port = free_port()
    zone = Zone({
        ("b.example", "MX"): [MX("mx.b.example", 10)],
        ("mx.b.example", "A"): [A("127.0.0.3")],
        ("sink.example", "MX"): [MX("mx.sink.example", 10)],
        ("mx.sink.example", "A"): [A("127.0.0.4")],
        ("later.example", "MX"): [MX("mx.later.example", 10)],
        ("mx.later.example", "A"): [A("127.0.0.5")],
        ("nomail.example", "MX"): [MX(".", 0)],
    })
    dns = DNSServer(zone, port=dns_port, address="127.0.0.1", tcp=False)
    dns.start_thread()
    receiver = server_factory(
        start=False, domains=("b.example",), users=("alice@b.example",),
        server={"hostname": "mx.b.example"})
    receiver.listeners.append({"protocol": "smtp", "address": f"127.0.0.3:{mx_port}", "tls": "starttls"})
    receiver.write_config()
    receiver.start()
    sender = server_factory(
        start=False, domains=("a.example",), users=("sender@a.example",),
        server={"hostname": "mail.a.example"},
        queue={"resolver": f"127.0.0.1@{dns_port}", "remote_port": mx_port,
               "retry_schedule_seconds": [1, 2], "scan_interval_seconds": 1,
               "connect_timeout_seconds": 3, "delay_warning_seconds": 0})
    sender.sub_port = free_port()
    sender.listeners.append({"protocol": "submission", "address": f"127.0.0.1:{sender.sub_port}"})
    sender.write_config()
    sender.start()
    sinks = []

    def start_sink(host):
        sink = Sink()
        c = Controller(sink, hostname=host, port=mx_port)
        c.start()
        sinks.append(c)
        return sink

    yield {"sender": sender, "receiver": receiver, "mx_port": mx_port, "start_sink": start_sink,
           "zone": zone, "dns_port": dns_port}
    for c in sinks:
        c.stop()
    dns.stop()


def inject(server, sender, recipients, subject, body="Hello from the queue.\n"):
    msg = (f"From: {sender}\nTo: {', '.join(recipients)}\nSubject: {subject}\n"
           f"Message-ID: <{subject.replace(' ', '.')}@a.example>\n\n{body}")
    args = ["queue", "inject", "--from", sender]
    for r in recipients:
        args += ["--to", r]
    out = server.cli(*args, input=msg).stdout
    m = re.search(r"queued message (\d+)", out)
    assert m, out
    return int(m.group(1))


def queue_ids(server):
    return [int(m.group(1)) for m in re.finditer(r"^(\d+)  age=", server.cli("queue", "list").stdout, re.M)]


def test_delivery_to_a_remote_postern_via_mx(net):
    sender, receiver = net["sender"], net["receiver"]
    inject(sender, "sender@a.example", ["alice@b.example"], "mx delivery")
    wait_for(lambda: len(receiver.messages("alice@b.example")) == 1, 20, "delivery to alice@b.example")
    stored = list(receiver.stored("alice@b.example").values())[0]
    assert b"Subject: mx delivery" in stored
    assert b"Hello from the queue." in stored
    # The receiver saw our EHLO name and STARTTLS (opportunistic TLS).
    assert re.search(rb"Received: from mail\.a\.example .*\r?\n?.*ESMTPS", stored), stored[:400]
    wait_for(lambda: queue_ids(sender) == [], 10, "the queue to empty")
    assert "event=smtp_client_tls" in sender.log()


def test_remote_down_then_up_is_retried_on_schedule(net):
    sender = net["sender"]
    qid = inject(sender, "sender@a.example", ["bob@later.example"], "retry me")
    sender.wait_log(r"event=queue_attempt queue_id=%d to=bob@later.example state=pending attempt=1" % qid, 20)
    shown = sender.cli("queue", "show", qid).stdout
    assert "pending" in shown and "cannot connect" in shown, shown
    sink = net["start_sink"]("127.0.0.5")
    wait_for(lambda: sink.count("Subject: retry me") == 1, 20, "the retried delivery")
    wait_for(lambda: queue_ids(sender) == [], 10, "the queue to empty")
    assert sink.count("Subject: retry me") == 1


def test_permanent_failure_bounces_to_the_local_sender(net):
    sender = net["sender"]
    sink = net["start_sink"]("127.0.0.4")
    inject(sender, "sender@a.example", ["nobody@sink.example", "real@sink.example"], "half bounce")
    wait_for(lambda: len(sender.messages("sender@a.example")) == 1, 20, "the DSN in the sender's INBOX")
    dsn = list(sender.stored("sender@a.example").values())[0]
    assert b"Content-Type: multipart/report; report-type=delivery-status" in dsn
    assert b"Final-Recipient: rfc822; nobody@sink.example" in dsn
    assert b"Action: failed" in dsn
    assert b"Status: 5.1.1" in dsn
    assert b"Diagnostic-Code: smtp; 550 5.1.1 <nobody@sink.example>: no such user here" in dsn
    assert b"Content-Type: text/rfc822-headers" in dsn and b"Subject: half bounce" in dsn
    assert b"real@sink.example" not in dsn.split(b"message/delivery-status")[1].split(b"text/rfc822-headers")[0]
    assert sink.count("Subject: half bounce") == 1  # the good recipient got it


def test_null_mx_fails_permanently_and_a_null_sender_gets_no_dsn(net):
    sender = net["sender"]
    inject(sender, "sender@a.example", ["x@nomail.example"], "null mx")
    wait_for(lambda: len(sender.messages("sender@a.example")) == 1, 20, "the null-MX DSN")
    dsn = list(sender.stored("sender@a.example").values())[0]
    assert b"Status: 5.1.10" in dsn and b"null MX" in dsn
    inject(sender, "", ["y@nomail.example"], "null sender")
    sender.wait_log(r"to=y@nomail.example state=failed", 20)
    wait_for(lambda: queue_ids(sender) == [], 10, "the queue to empty")
    assert len(sender.messages("sender@a.example")) == 1  # no DSN for <>


def test_kill9_and_restart_loses_nothing_and_sends_nothing_twice(net):
    sender = net["sender"]
    # The MX is down: everything waits in the queue when the server dies.
    ids = [inject(sender, "sender@a.example", [f"u{i}@later.example"], f"crash {i}") for i in range(10)]
    sender.wait_log(r"to=u9@later.example state=pending", 20)
    sender.kill9()
    assert sorted(queue_ids(sender)) == sorted(ids)
    sender.start()
    sink = net["start_sink"]("127.0.0.5")
    wait_for(lambda: queue_ids(sender) == [], 30, "the queue to empty after the restart")
    for i in range(10):
        assert sink.count(f"<crash.{i}@a.example>") == 1, i


def test_submission_hands_remote_recipients_to_the_queue(net):
    sender, receiver = net["sender"], net["receiver"]
    msg = ("From: sender@a.example\r\nTo: alice@b.example\r\nSubject: via submission\r\n"
           "Message-ID: <via.submission@a.example>\r\n\r\nSent by a user.\r\n")
    with smtplib.SMTP("127.0.0.1", sender.sub_port, timeout=10) as c:
        c.starttls(context=unverified_context())
        c.login("sender@a.example", sender.passwords["sender@a.example"])
        refused = c.sendmail("sender@a.example", ["alice@b.example", "sender@a.example"], msg)
        assert refused == {}
    # The local recipient is stored at once, the remote one goes out via MX.
    assert len(sender.messages("sender@a.example")) == 1
    wait_for(lambda: len(receiver.messages("alice@b.example")) == 1, 20, "delivery to alice@b.example")
    stored = list(receiver.stored("alice@b.example").values())[0]
    assert b"Subject: via submission" in stored and b"Sent by a user." in stored
    assert re.search(r"event=queued session=\S+ from=sender@a.example recipients=1", sender.log())


def submit(server, sender, recipients, subject, body="Sent by a user.\r\n"):
    msg = (f"From: {sender}\r\nTo: {', '.join(recipients)}\r\nSubject: {subject}\r\n"
           f"Message-ID: <{subject.replace(' ', '.')}@a.example>\r\n\r\n{body}")
    with smtplib.SMTP("127.0.0.1", server.sub_port, timeout=10) as c:
        c.starttls(context=unverified_context())
        c.login(sender, server.passwords[sender])
        assert c.sendmail(sender, recipients, msg) == {}


def dns_txt(dns_port):
    """A dkimpy dnsfunc that asks the test DNS server, as a receiving MTA would."""
    def dnsfunc(name, timeout=5):
        q = DNSRecord.question(name.decode().rstrip("."), "TXT")
        reply = DNSRecord.parse(q.send("127.0.0.1", dns_port, timeout=timeout))
        return b"".join(b"".join(rr.rdata.data) for rr in reply.rr if rr.rtype == QTYPE.TXT)
    return dnsfunc


def test_dkim_signed_on_a_verifies_on_b_against_the_published_records(net):
    sender, receiver, zone = net["sender"], net["receiver"], net["zone"]
    selectors = {}
    for algorithm in ("rsa", "ed25519"):
        out = sender.cli("dkim", "keygen", "a.example", "--algorithm", algorithm).stdout
        for name, strings in zone_records(out).items():
            zone.records[(name, "TXT")] = [TXT(strings)]
            selectors[algorithm] = name.split(".")[0]
    assert set(selectors) == {"rsa", "ed25519"}
    submit(sender, "sender@a.example", ["alice@b.example"], "signed twice")
    wait_for(lambda: len(receiver.messages("alice@b.example")) == 1, 20, "delivery to alice@b.example")
    stored = list(receiver.stored("alice@b.example").values())[0]
    d = dkim.DKIM(stored)
    verdicts = {}
    for i in range(len(re.findall(rb"^DKIM-Signature:", stored, re.M))):
        ok = d.verify(idx=i, dnsfunc=dns_txt(net["dns_port"]))
        verdicts[d.signature_fields[b"s"].decode()] = (ok, d.signature_fields[b"d"], d.signature_fields[b"a"])
    assert verdicts == {selectors["rsa"]: (True, b"a.example", b"rsa-sha256"),
                        selectors["ed25519"]: (True, b"a.example", b"ed25519-sha256")}, verdicts
    # The record is what makes it verify: a different published key fails.
    rsa_name = f"{selectors['rsa']}._domainkey.a.example"
    other = zone_records(sender.cli("dkim", "keygen", "a.example", "--selector", "spare").stdout)
    zone.records[(rsa_name, "TXT")] = [TXT(list(other.values())[0])]
    idx = [i for i in range(2) if d.verify(idx=i, dnsfunc=dns_txt(net["dns_port"])) is False]
    assert len(idx) == 1


class AuthSmarthost(Sink):
    """An aiosmtpd relay that wants STARTTLS and then AUTH; records the logins it saw."""

    def __init__(self):
        super().__init__()
        self.logins = []

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        self.logins.append((mechanism, auth_data.login, auth_data.password))
        ok = auth_data.login == b"relayuser" and auth_data.password == b"relay secret"
        return AuthResult(success=ok)


def test_smarthost_gets_the_password_only_over_a_trusted_certificate(server_factory, tmp_path):
    import ssl
    from aiosmtpd.controller import Controller as C
    cert, key = make_cert(tmp_path / "relay", cn="relay.example")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    relay = AuthSmarthost()
    port = free_port()
    ctl = C(relay, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True,
            authenticator=relay.authenticate, auth_require_tls=True, auth_required=True)
    ctl.start()
    try:
        creds = tmp_path / "relay.secret"
        creds.write_text("relayuser:relay secret\n")
        creds.chmod(0o600)
        sender = server_factory(
            start=False, domains=("a.example",), users=("sender@a.example",),
            queue={"smarthost": f"127.0.0.1:{port}", "smarthost_tls": "starttls",
                   "smarthost_credentials_file": str(creds), "retry_schedule_seconds": [1],
                   "scan_interval_seconds": 1, "delay_warning_seconds": 0})
        sender.start()
        qid = inject(sender, "sender@a.example", ["bob@far.example"], "via relay")
        # Self-signed: not trusted, so the message waits and no password leaves.
        sender.wait_log(r"smtp_client_untrusted.*certificate of 127\.0\.0\.1 not trusted", 20)
        assert queue_ids(sender) == [qid]
        assert relay.logins == [] and relay.messages == []
        # Trusting the relay's CA (here: its certificate) lets the mail go.
        sender.stop()
        sender.queue_settings["smarthost_ca_file"] = str(cert)
        sender.write_config()
        sender.start()
        sender.cli("queue", "flush")
        wait_for(lambda: queue_ids(sender) == [], 20, "delivery through the smarthost")
        assert relay.logins == [("PLAIN", b"relayuser", b"relay secret")]
        assert relay.count("<via.relay@a.example>") == 1
    finally:
        ctl.stop()


def test_smarthost_credentials_need_tls_in_the_config(server_factory, tmp_path):
    s = server_factory(start=False, domains=("a.example",), users=())
    s.queue_settings = {"smarthost": "127.0.0.1:2525", "smarthost_tls": "none",
                        "smarthost_credentials_file": "relay.secret"}
    s.write_config()
    p = s.cli("config", "check", check=False)
    assert p.returncode != 0
    assert re.search(r"postern\.toml:\d+:\d+: queue\.smarthost_credentials_file needs queue\.smarthost_tls", p.stderr), p.stderr


def test_postern_b_down_then_up_and_b_refusing_a_user_bounces_to_a(net):
    """The issue's two-instance story with Postern on both ends: submission
    on A, B stopped (A retries on schedule), B back (delivered once), and B
    answering 550 for an unknown user (a DSN in the sender's INBOX on A)."""
    sender, receiver = net["sender"], net["receiver"]
    receiver.stop()
    submit(sender, "sender@a.example", ["alice@b.example"], "while b was down")
    sender.wait_log(r"to=alice@b.example state=pending attempt=1 .*cannot connect", 20)
    sender.wait_log(r"to=alice@b.example state=pending attempt=2 ", 20)  # retried on the 1 s, 2 s schedule
    receiver.start()
    wait_for(lambda: len(receiver.messages("alice@b.example")) == 1, 30, "delivery once B is back")
    wait_for(lambda: queue_ids(sender) == [], 10, "the queue to empty")

    submit(sender, "sender@a.example", ["nobody@b.example"], "to nobody at b")
    wait_for(lambda: len(sender.messages("sender@a.example")) == 1, 20, "the DSN from B's 550")
    dsn = list(sender.stored("sender@a.example").values())[0]
    assert b"Final-Recipient: rfc822; nobody@b.example" in dsn and b"Action: failed" in dsn
    assert re.search(rb"Diagnostic-Code: smtp; 550 5\.1\.1", dsn), dsn
    assert b"Subject: to nobody at b" in dsn
    assert len(receiver.messages("alice@b.example")) == 1  # nothing sent twice
