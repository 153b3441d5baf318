"""IMAP extensions against the real server: QRESYNC/VANISHED (RFC 7162),
LIST-STATUS (RFC 5819), CREATE-SPECIAL-USE (RFC 6154), OBJECTID (RFC 8474),
BINARY (RFC 3516), MULTIAPPEND (RFC 3502), QUOTA (RFC 9208) with the
matching SMTP refusal, and COMPRESS=DEFLATE (RFC 4978)."""

import base64
import imaplib
import re
import smtplib
import socket
import zlib

import pytest


USER = "demo@example.test"


class Raw:
    """A line-level IMAP client: exact bytes out, everything up to the
    tagged reply back (literals included), so responses can be asserted."""

    def __init__(self, server):
        self.sock = socket.create_connection(("127.0.0.1", server.imap_port), timeout=15)
        self.buf = b""
        self.inflate = None
        self.deflate = None
        self.n = 0
        assert self.line().startswith(b"* OK")
        pw = server.passwords[USER]
        assert b"OK" in self.cmd(f'LOGIN {USER} "{pw}"')[-1]

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        if self.inflate:
            data = self.inflate.decompress(data)
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self._recv()
        line, self.buf = self.buf.split(b"\r\n", 1)
        m = re.search(rb"~?\{(\d+)\}$", line)
        if m:  # a literal follows: keep it in the same logical line
            n = int(m.group(1))
            while len(self.buf) < n:
                self._recv()
            line += b"\r\n" + self.buf[:n]
            self.buf = self.buf[n:]
            line += self.line()
        return line

    def send(self, data):
        if self.deflate:
            data = self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def cmd(self, text):
        self.n += 1
        tag = f"t{self.n}".encode()
        self.send(tag + b" " + (text.encode() if isinstance(text, str) else text) + b"\r\n")
        out = []
        while True:
            l = self.line()
            out.append(l)
            if l.startswith(tag + b" "):
                return out


def deliver(s, subject, extra=b"", body=b"hello\r\n", to=USER):
    msg = b"From: a@example.org\r\nSubject: " + subject.encode() + b"\r\n" + extra + b"\r\n" + body
    with smtplib.SMTP("127.0.0.1", s.smtp_port, timeout=15) as c:
        c.sendmail("a@example.org", [to], msg)


def test_qresync_resync_after_changes_by_another_session(imap_server):
    for i in range(5):
        deliver(imap_server, f"m{i}")
    a = Raw(imap_server)
    assert a.cmd("ENABLE QRESYNC")[0] == b"* ENABLED QRESYNC"
    sel = b"\n".join(a.cmd("SELECT INBOX"))
    uidvalidity = int(re.search(rb"UIDVALIDITY (\d+)", sel).group(1))
    modseq = int(re.search(rb"HIGHESTMODSEQ (\d+)", sel).group(1))
    assert a.cmd("LOGOUT")[-1].split(b" ", 1)[1].startswith(b"OK")
    # Meanwhile another client flags one message and expunges two.
    b = imaplib.IMAP4("127.0.0.1", imap_server.imap_port, timeout=15)
    b.login(USER, imap_server.passwords[USER])
    b.select("INBOX")
    b.uid("STORE", "1", "+FLAGS", "(\\Flagged)")
    b.uid("STORE", "2,4", "+FLAGS", "(\\Deleted)")
    b.expunge()
    b.logout()
    a = Raw(imap_server)
    a.cmd("ENABLE QRESYNC")
    out = a.cmd(f"SELECT INBOX (QRESYNC ({uidvalidity} {modseq} 1:5))")
    assert b"* VANISHED (EARLIER) 2,4" in out
    assert any(re.match(rb"\* 1 FETCH \(UID 1 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)", l) for l in out)
    assert not any(b"UID 3 " in l or b"UID 5 " in l for l in out)
    # In this session expunges are VANISHED, not EXPUNGE (RFC 7162 §3.2.10).
    a.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)")
    out = a.cmd("EXPUNGE")
    assert out[0] == b"* VANISHED 1" and out[-1].endswith(b"OK EXPUNGE completed")


def test_list_status_and_create_special_use(imap_server):
    deliver(imap_server, "one")
    a = Raw(imap_server)
    out = a.cmd('LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN SIZE))')
    inbox = out.index(next(l for l in out if l.startswith(b"* LIST") and l.endswith(b"INBOX")))
    assert re.match(rb"\* STATUS INBOX \(MESSAGES 1 UNSEEN 1 SIZE \d+\)", out[inbox + 1])
    assert any(l.startswith(b'* STATUS Sent (MESSAGES 0 UNSEEN 0 SIZE 0)') for l in out)
    assert a.cmd("CREATE Receipts (USE (\\Archive))")[-1].split(b" ", 1)[1].startswith(b"NO [USEATTR]")  # Archive exists
    assert a.cmd("CREATE Everything (USE (\\All))")[-1].split(b" ", 1)[1].startswith(b"NO [USEATTR]")
    assert a.cmd("CREATE Bad (FOO (\\Sent))")[-1].split(b" ", 1)[1].startswith(b"BAD")
    a.cmd("DELETE Archive")
    assert a.cmd("CREATE Old (USE (\\Archive))")[-1].split(b" ", 1)[1].startswith(b"OK [MAILBOXID (")
    out = a.cmd('LIST (SPECIAL-USE) "" "*"')
    assert b'* LIST (\\HasNoChildren \\Archive) "/" Old' in out


def test_objectid_mailboxid_emailid_threadid(imap_server):
    deliver(imap_server, "root", b"Message-ID: <root@example.org>\r\n")
    deliver(imap_server, "reply", b"Message-ID: <r1@example.org>\r\nIn-Reply-To: <root@example.org>\r\n")
    deliver(imap_server, "reply 2", b"Message-ID: <r2@example.org>\r\nReferences: <root@example.org> <r1@example.org>\r\n")
    deliver(imap_server, "unrelated", b"Message-ID: <x@example.org>\r\n")
    a = Raw(imap_server)
    sel = a.cmd("SELECT INBOX")
    mailboxid = re.search(rb"\[MAILBOXID \((F[\w-]+)\)\]", b"\n".join(sel)).group(1)
    status = a.cmd("STATUS INBOX (MAILBOXID)")[0]
    assert status == b"* STATUS INBOX (MAILBOXID (" + mailboxid + b"))"
    # RENAME keeps the MAILBOXID; a new mailbox of the old name gets another.
    before = a.cmd("STATUS Junk (MAILBOXID)")[0].split(b"MAILBOXID ")[1]
    a.cmd("RENAME Junk Spam")
    assert a.cmd("STATUS Spam (MAILBOXID)")[0].split(b"MAILBOXID ")[1] == before
    a.cmd("CREATE Junk")
    assert a.cmd("STATUS Junk (MAILBOXID)")[0].split(b"MAILBOXID ")[1] != before
    out = a.cmd("FETCH 1:4 (EMAILID THREADID)")
    ids = [re.search(rb"EMAILID \((M\w+)\) THREADID \((T\w+)\)", l).groups() for l in out[:-1]]
    threads = [t for _, t in ids]
    assert threads[0] == threads[1] == threads[2] != threads[3]
    assert len({e for e, _ in ids}) == 4
    # A copy keeps its EMAILID and THREADID (RFC 8474 §5.1).
    a.cmd("COPY 2 Archive")
    a.cmd("SELECT Archive")
    copied = a.cmd("FETCH 1 (EMAILID THREADID)")[0]
    assert ids[1][0] in copied and ids[1][1] in copied
    assert b"OBJECTID" in b"".join(a.cmd("CAPABILITY"))


def test_binary_fetch_decodes_transfer_encoding(imap_server):
    payload = bytes(range(256))
    body = (b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            b"caf=C3=A9 soft=\r\nbreak\r\n--b\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(payload).replace(b"\n", b"\r\n") +
            b"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nzzz\r\n--b--\r\n")
    with smtplib.SMTP("127.0.0.1", imap_server.smtp_port, timeout=15) as c:
        c.sendmail("a@example.org", [USER], b"From: a@example.org\r\nSubject: bin\r\n" + body)
    a = Raw(imap_server)
    a.cmd("SELECT INBOX")
    out = a.cmd("FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])")
    assert b"BINARY[1] {15}\r\ncaf\xc3\xa9 softbreak" in out[0]  # the CRLF before "--b" is the delimiter's
    assert b"BINARY.SIZE[1] 15" in out[0]
    out = a.cmd("FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])")
    assert b"BINARY[2] ~{256}\r\n" + payload in out[0]  # NUL inside: literal8
    assert b"BINARY.SIZE[2] 256" in out[0]
    assert a.cmd("FETCH 1 (BINARY.PEEK[2]<250.10>)")[0].endswith(b"BINARY[2]<250> {6}\r\n" + payload[250:] + b")")  # no NUL: a plain literal
    assert a.cmd("FETCH 1 (BINARY.PEEK[3])")[-1].split(b" ", 1)[1].startswith(b"NO [UNKNOWN-CTE]")
    assert b"\\Seen" not in b"".join(a.cmd("FETCH 1 (FLAGS)"))
    a.cmd("FETCH 1 (BINARY[1])")  # not PEEK: sets \Seen
    assert b"\\Seen" in b"".join(a.cmd("FETCH 1 (FLAGS)"))


def test_multiappend_is_all_or_nothing(imap_server):
    a = Raw(imap_server)
    m1, m2 = b"Subject: one\r\n\r\n1\r\n", b"Subject: two\r\n\r\n2\r\n"
    out = a.cmd(b"APPEND Drafts (\\Draft) {%d+}\r\n%s (\\Seen) {%d+}\r\n%s" % (len(m1), m1, len(m2), m2))
    assert re.match(rb"t\d+ OK \[APPENDUID \d+ 1:2\]", out[-1])
    # The second message is refused (empty): the first is not stored either.
    out = a.cmd(b"APPEND Drafts {%d+}\r\n%s {0+}\r\n" % (len(m1), m1))
    assert out[-1].split(b" ", 1)[1].startswith(b"NO")
    assert a.cmd("STATUS Drafts (MESSAGES)")[0] == b"* STATUS Drafts (MESSAGES 2)"
    assert [m.subject for m in imap_server.messages(USER, "Drafts")] == ["one", "two"]


def test_quota_reported_enforced_and_refused_over_smtp(imap_server):
    a = Raw(imap_server)
    out = a.cmd("GETQUOTAROOT INBOX")
    assert out[0] == b"* QUOTAROOT INBOX" and out[-1].split(b" ", 1)[1].startswith(b"OK")  # unlimited: no root
    imap_server.cli("user", "quota", USER, "4K")
    deliver(imap_server, "fits", body=b"x" * 1000 + b"\r\n")
    out = a.cmd("GETQUOTAROOT INBOX")
    assert out[0] == b'* QUOTAROOT INBOX ""'
    assert re.match(rb'\* QUOTA "" \(STORAGE [12] 4\)', out[1])
    assert re.match(rb'\* QUOTA "" \(STORAGE [12] 4\)', a.cmd('GETQUOTA ""')[0])
    assert a.cmd('SETQUOTA "" (STORAGE 100000)')[-1].split(b" ", 1)[1].startswith(b"NO [NOPERM]")
    big = b"Subject: big\r\n\r\n" + b"y" * 5000 + b"\r\n"
    assert a.cmd(b"APPEND INBOX {%d+}\r\n%s" % (len(big), big))[-1].split(b" ", 1)[1].startswith(b"NO [OVERQUOTA]")
    filler = b"Subject: filler\r\n\r\n" + b"z" * 2500 + b"\r\n"
    assert a.cmd(b"APPEND INBOX {%d+}\r\n%s" % (len(filler), filler))[-1].split(b" ", 1)[1].startswith(b"OK")
    a.cmd("SELECT INBOX")
    assert a.cmd("COPY 1:2 Archive")[-1].split(b" ", 1)[1].startswith(b"NO [OVERQUOTA]")
    # Full (the administrator lowers the quota below the usage): the MX
    # refuses at RCPT with 552 5.2.2 (RFC 3463), before DATA.
    imap_server.cli("user", "quota", USER, "3K")
    with smtplib.SMTP("127.0.0.1", imap_server.smtp_port, timeout=15) as c:
        c.ehlo()
        c.mail("a@example.org")
        code, text = c.rcpt(USER)
        assert code == 552 and b"5.2.2" in text
    out = imap_server.cli("user", "quota", USER).stdout
    assert "quota 3.0 KiB" in out and "2 messages" in out
    imap_server.cli("user", "quota", USER, "unlimited")
    deliver(imap_server, "after raise")


def test_compress_deflate(imap_server):
    deliver(imap_server, "compressed", body=b"the same line again\r\n" * 200)
    a = Raw(imap_server)
    assert b"COMPRESS=DEFLATE" in b"".join(a.cmd("CAPABILITY"))
    assert a.cmd("COMPRESS DEFLATE")[-1].split(b" ", 1)[1].startswith(b"OK")
    a.inflate = zlib.decompressobj(-15)
    a.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    a.cmd("SELECT INBOX")
    out = a.cmd("FETCH 1 (BODY.PEEK[])")
    assert out[0].count(b"the same line again") == 200
    # A 2 MB message that compresses ~500:1 arrives in a handful of reads;
    # the server inflates it in 64 KiB slices and stores it whole.
    body = b"Subject: zeros\r\n\r\n" + (b"0" * 998 + b"\r\n") * 2000
    assert a.cmd(b"APPEND INBOX {%d+}\r\n%s" % (len(body), body))[-1].split(b" ", 1)[1].startswith(b"OK")
    out = a.cmd("FETCH 2 (BODY.PEEK[])")
    assert body in out[0]
    # RFC 4978 §3: a second COMPRESS is refused.
    assert a.cmd("COMPRESS DEFLATE")[-1].split(b" ", 1)[1].startswith(b"NO [COMPRESSIONACTIVE]")
    assert a.cmd("LOGOUT")[0].startswith(b"* BYE")
