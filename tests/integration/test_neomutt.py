"""neomutt against Postern, driven as a user would drive it: a real
neomutt in a pseudo-terminal (pexpect), its screen rebuilt by a terminal
emulator (pyte) so the test reads what the user would see.

Over IMAPS (certificate pinned with $certificate_file): login and the INBOX
index, the folder browser, a nested folder, a message in the pager, a
message piped to a file (compared with the stored bytes), flag / delete /
sync from neomutt (checked in the store), and new mail appearing in the open
index.
"""

import os
import re
import shutil
import smtplib
import time

import pytest

from postern_harness import imap_login

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")
pytestmark = pytest.mark.skipif(shutil.which("neomutt") is None, reason="neomutt not installed")

USER = "demo@example.test"
ROWS, COLS = 40, 132

MULTIPART = (b"From: Alice Example <alice@example.org>\r\nTo: demo@example.test\r\n"
             b"Subject: Quarterly report\r\nDate: Tue, 02 Jan 2024 09:00:00 +0000\r\n"
             b"Message-ID: <report@example.org>\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n"
             b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
             b"The numbers are in the attachment.\r\nRegards, Alice\r\n--b1\r\n"
             b"Content-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
             b"Content-Disposition: attachment; filename=\"r.pdf\"\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n")


def plain(subject, sender, day):
    return (f"From: {sender}\r\nTo: {USER}\r\nSubject: {subject}\r\n"
            f"Date: Wed, {day:02d} Jan 2024 10:00:00 +0000\r\nMessage-ID: <{subject.replace(' ', '.')}@example.org>\r\n"
            f"\r\nHello from {subject}.\r\n").encode()


class NeoMutt:
    """neomutt in a pty; screen() is the emulated terminal's text."""

    def __init__(self, home, rc, debug_log=None):
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        env = dict(os.environ, HOME=str(home), TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        # -d 2 logs every command neomutt sends (not the password: PLAIN is base64 only).
        debug = ["-d", "2", "-l", str(debug_log)] if debug_log else []
        self.proc = pexpect.spawn("neomutt", ["-n", *debug, "-F", str(rc)], env=env, cwd=str(home),
                                  dimensions=(ROWS, COLS))

    def pump(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self.stream.feed(self.proc.read_nonblocking(65536, timeout=0.1))
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                return

    def text(self):
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, what, timeout=15):
        """Waits until the screen shows `what` (a regex); returns the match."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = re.search(what, self.text(), re.MULTILINE)
            if m:
                return m
            if not self.proc.isalive():
                break
            self.pump(0.2)
        raise AssertionError(f"neomutt never showed {what!r}; the screen:\n{self.text()}")

    def keys(self, keys, settle=0.3):
        self.proc.send(keys)
        self.pump(settle)

    def index(self):
        """{subject: status flags} of the index rows on screen (N new, ! flagged, ...)."""
        rows = {}
        for line in self.text().splitlines():
            m = re.match(r"\s*\d+ (.*?) Jan \d\d .*\) (.*)$", line)
            if m:
                rows[m.group(2)] = m.group(1).split()
        return rows

    def quit(self):
        self.keys("q", settle=1)
        self.proc.expect(pexpect.EOF, timeout=15)
        self.proc.close()
        assert self.proc.exitstatus == 0, self.text()

    def close(self):
        if self.proc.isalive():
            self.proc.terminate(force=True)


def write_rc(server, home, extra=""):
    """A neomuttrc for the user. "localhost": neomutt checks the certificate's
    host name; the pinned certificate in $certificate_file is trusted
    without a prompt."""
    home.mkdir(exist_ok=True)
    (home / "certs.pem").write_bytes(server.cert.read_bytes())
    rc = home / "neomuttrc"
    rc.write_text(f"""set folder = "imaps://localhost:{server.imaps_port}/"
set spoolfile = "+INBOX"
set imap_user = "{USER}"
set imap_pass = "{server.passwords[USER]}"
set certificate_file = "{home}/certs.pem"
set ssl_force_tls = yes
set header_cache = ""
set message_cachedir = ""
set sort = date
set quit = yes
set wait_key = no
set pipe_decode = no
set delete = yes
set mark_old = no
set mail_check = 1
set imap_idle = yes
set timeout = 1
""" + extra)
    return rc


@pytest.fixture
def mutt_setup(imap_server, tmp_path):
    server = imap_server
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=15) as s:
        s.sendmail("bob@example.org", [USER], plain("Lunch on Friday", "Bob <bob@example.org>", 3))
        s.sendmail("alice@example.org", [USER], MULTIPART)
        s.sendmail("carol@example.org", [USER], plain("Concert tickets", "Carol <carol@example.org>", 4))
    c = imap_login(server)
    assert c.create("Lists/foo")[0] == "OK"
    assert c.append("Lists/foo", "(\\Flagged)", None, plain("Release 2.0 plans", "dev@lists.example.org", 5))[0] == "OK"
    assert c.append("Lists/foo", "(\\Seen)", None, plain("Meeting minutes", "dev@lists.example.org", 6))[0] == "OK"
    c.logout()
    home = tmp_path / "home"
    rc = write_rc(server, home)
    mutt = NeoMutt(home, rc)
    yield server, mutt, home
    mutt.close()


def test_neomutt_login_folders_fetch_and_changes(mutt_setup):
    server, mutt, home = mutt_setup
    # Login, SELECT INBOX, the index built from ENVELOPE/FLAGS (sorted by date).
    mutt.wait_for(r"NeoMutt: \+INBOX \[Msgs:3 New:3")
    index = mutt.text()
    rows = [l for l in index.splitlines() if re.match(r"\s+\d+ ", l)]
    assert [re.search(r"\) (.*)$", r).group(1) for r in rows] == [
        "Quarterly report", "Lunch on Friday", "Concert tickets"]
    assert "Alice Example" in rows[0] and "Bob" in rows[1]

    # The folder browser: LIST of the account's mailboxes ("Lists/" has children).
    mutt.keys("c")
    mutt.keys("?")
    mutt.keys("\t")  # from the (empty) $mailboxes list to the IMAP folder view
    browser = mutt.wait_for(r"Directory \[imaps://localhost:\d+/\]")
    shown = re.findall(r"^\s*\d+\s+IMAP\s*\+?\s+(\S+)\s*$", mutt.text(), re.MULTILINE)
    assert shown == ["INBOX", "Archive", "Drafts", "Junk", "Lists/", "Sent", "Trash"], mutt.text()
    assert browser
    mutt.keys("q")
    mutt.wait_for(r"NeoMutt: \+INBOX")

    # A nested folder: its index with the flags set over IMAP.
    mutt.keys("c")
    mutt.keys("=Lists/foo\r")
    mutt.wait_for(r"NeoMutt: \+Lists/foo \[Msgs:2")
    # The status column: N = not \Seen, ! = \Flagged.
    assert mutt.index() == {"Release 2.0 plans": ["N", "!"], "Meeting minutes": []}, mutt.text()

    # Back to INBOX; open the multipart message in the pager (BODY[] fetch).
    mutt.keys("c")
    mutt.keys("=INBOX\r")
    mutt.wait_for(r"NeoMutt: \+INBOX \[Msgs:3")
    mutt.keys("\r")  # the first row: Quarterly report
    mutt.wait_for(r"The numbers are in the attachment\.")
    pager = mutt.text()
    assert "Subject: Quarterly report" in pager
    assert re.search(r"\[-- Attachment #2: r\.pdf --\]", pager), pager
    mutt.keys("q")
    mutt.wait_for(r"NeoMutt: \+INBOX")

    # Pipe the raw message to a file: the bytes the store holds (LF line ends).
    out = home / "piped.eml"
    mutt.keys("|")
    mutt.wait_for(r"Pipe to command:")
    mutt.keys(f"cat > {out}\r", settle=1)
    end = time.monotonic() + 10
    while not (out.exists() and out.stat().st_size) and time.monotonic() < end:
        mutt.pump(0.2)
    stored = {m.subject: m.uid for m in server.messages(USER)}
    assert out.read_bytes() == server.show(USER, stored["Quarterly report"]).replace(b"\r\n", b"\n")

    # Flag one message, delete another, sync (neomutt also stores the \Seen
    # of the message it displayed then: it fetched with BODY.PEEK).
    mutt.keys("j")  # Lunch on Friday
    mutt.keys("F")  # flag it
    mutt.keys("j")  # Concert tickets
    mutt.keys("d")  # delete it
    mutt.keys("$")  # sync: STORE and EXPUNGE
    mutt.wait_for(r"NeoMutt: \+INBOX \[Msgs:2")
    end = time.monotonic() + 10
    while time.monotonic() < end:
        flags = server.message_flags(USER)
        if len(flags) == 2 and "\\Flagged" in flags[stored["Lunch on Friday"]][1]:
            break
        mutt.pump(0.3)
    assert set(flags) == {stored["Quarterly report"], stored["Lunch on Friday"]}
    assert "\\Flagged" in flags[stored["Lunch on Friday"]][1]
    assert "\\Seen" in flags[stored["Quarterly report"]][1]

    # New mail shows up in the open index (IDLE / the store's notifications).
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=15) as s:
        s.sendmail("dave@example.org", [USER], plain("Fresh news", "Dave <dave@example.org>", 7))
    mutt.wait_for(r"^\s+\d+ N .*Fresh news$", timeout=5)
    mutt.wait_for(r"NeoMutt: \+INBOX \[Msgs:3 New:2 Flag:1")  # Fresh news + Lunch on Friday

    mutt.quit()


def sent_commands(home, log_name):
    """The IMAP commands neomutt logged (-d 2) in its debug log(s) `log_name*`."""
    lines = []
    for p in sorted(home.glob(log_name + "*")):
        for line in p.read_text(errors="replace").splitlines():
            m = re.search(r"> (a\d{4} .*)$", line)
            if m or re.match(r"^a\d{4} ", line):
                lines.append(m.group(1) if m else line)
    return lines


def test_neomutt_resyncs_its_header_cache_with_qresync(imap_server, tmp_path):
    """Reopening with a header cache, neomutt asks only for what changed
    (ENABLE QRESYNC, UID FETCH ... (CHANGEDSINCE m VANISHED), RFC 7162 §3.2.6)."""
    server = imap_server
    with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=15) as s:
        for day, subject in enumerate(("Alpha", "Bravo", "Charlie", "Delta"), start=10):
            s.sendmail("x@example.org", [USER], plain(subject, "X <x@example.org>", day))
    home = tmp_path / "home"
    rc = write_rc(server, home, f'set header_cache = "{home}/hcache"\nset imap_condstore = yes\n'
                                'set imap_qresync = yes\n')

    def run(log, status, index):
        mutt = NeoMutt(home, rc, debug_log=home / log)
        try:
            mutt.wait_for(status)
            assert mutt.index() == index, mutt.text()
            mutt.quit()
        finally:
            mutt.close()
        return sent_commands(home, log)

    run("first.log", r"NeoMutt: \+INBOX \[Msgs:4 New:4", {s: ["N"] for s in ("Alpha", "Bravo", "Charlie", "Delta")})
    # Another client flags Alpha and appends Echo: neomutt's cache stays valid.
    c = imap_login(server)
    c.select("INBOX")
    assert c.store("1", "+FLAGS", "(\\Flagged)")[0] == "OK"
    assert c.append("INBOX", None, None, plain("Echo", "X <x@example.org>", 20))[0] == "OK"
    sent = run("second.log", r"NeoMutt: \+INBOX \[Msgs:5 New:5 Flag:1",
               {"Alpha": ["N", "!"], "Bravo": ["N"], "Charlie": ["N"], "Delta": ["N"], "Echo": ["N"]})
    assert "a0003 ENABLE QRESYNC" in sent, sent
    assert any(re.fullmatch(r"a\d{4} UID FETCH 1:4 \(FLAGS\) \(CHANGEDSINCE \d+ VANISHED\)", l) for l in sent), sent
    log = "\n".join(p.read_text(errors="replace") for p in home.glob("second.log*"))
    assert "QRESYNC failed" not in log
    # Bravo is expunged: the index is right again. (neomutt 2022 maps its
    # cached UIDs to sequence numbers itself; after "VANISHED (EARLIER)" it
    # finds a gap there and reloads the flags, "QRESYNC failed. Reopening
    # mailbox" in its log: its own fallback, the server's answers are RFC 7162's.)
    assert c.store("2", "+FLAGS", "(\\Deleted)")[0] == "OK"
    assert c.expunge()[0] == "OK"
    c.logout()
    run("third.log", r"NeoMutt: \+INBOX \[Msgs:4 New:4 Flag:1",
        {"Alpha": ["N", "!"], "Charlie": ["N"], "Delta": ["N"], "Echo": ["N"]})
