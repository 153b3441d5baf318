"""mbsync (isync) against Postern: a two-way sync of a 1,000-message mailbox
tree with a local Maildir, over IMAPS with the server's certificate pinned
(CertificateFile), as a user would configure it.

Pull everything; change flags, delete and move messages in the Maildir and
sync them up (checked over imaplib); change, expunge, move, copy and append
on the server over imaplib and sync them down (checked in the Maildir).
After every sync both sides hold the same folders, messages (by
Message-ID and content) and flags, and match the model of what was done.
"""

import os
import re
import shutil
import smtplib
import subprocess
import time
from pathlib import Path

import pytest

from postern_harness import imap_login, imap_mailboxes, imap_quote

USER = "demo@example.test"
MBSYNC_TIMEOUT = 120  # seconds for one mbsync run (a full pull takes a few)

# The initial tree: folder -> message count (1,000 in all). INBOX arrives over
# SMTP, the rest by APPEND (some with flags); "Lists" is created by the
# server as the parent of Lists/foo (RFC 9051 §6.3.4). The special-use
# folders every account starts with are synced too (empty).
TREE = {"INBOX": 400, "Archive/2024": 250, "Lists/foo": 200, "Lists/bar": 150}
SPECIAL = ("Archive", "Drafts", "Junk", "Sent", "Trash")

# Maildir info letters (maildir spec, "2," flags) <-> IMAP system flags.
MAILDIR_FLAGS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}
IMAP_TO_LETTER = {v: k for k, v in MAILDIR_FLAGS.items()}

pytestmark = pytest.mark.skipif(shutil.which("mbsync") is None, reason="mbsync (isync) not installed")


def make_message(folder, n):
    slug = folder.replace("/", ".")
    return (f"From: Sender {n} <sender{n}@example.org>\r\nTo: {USER}\r\n"
            f"Subject: {folder} message {n}\r\nMessage-ID: <{slug}.{n}@example.org>\r\n"
            f"Date: Mon, 01 Jan 2024 10:{n % 60:02d}:00 +0000\r\n\r\n"
            f"Body of message {n} in {folder}.\r\n\r\nSecond paragraph {'x' * (n % 50)}.\r\n").encode()


def normalize(content):
    """Message bytes as both sides can agree on: LF line ends (Maildir stores
    LF, IMAP sends CRLF) and without mbsync's X-TUID tracking header."""
    content = content.replace(b"\r\n", b"\n")
    head, sep, body = content.partition(b"\n\n")
    head = b"\n".join(l for l in head.split(b"\n") if not l.lower().startswith(b"x-tuid:"))
    return head + sep + body


MID = re.compile(rb"^message-id:\s*(<[^>]+>)", re.IGNORECASE | re.MULTILINE)


def message_id(content):
    head = content.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    m = MID.search(head)
    assert m, head[:300]
    return m.group(1).decode()


# --- the server side (imaplib) ------------------------------------------------
FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
UID = re.compile(rb"UID (\d+)")


def server_state(c):
    """{folder: {Message-ID: (uid, flags, normalized content)}} for every selectable mailbox."""
    state = {}
    for name in imap_mailboxes(c):
        typ, data = c.select(imap_quote(name), readonly=True)
        assert typ == "OK", (name, data)
        msgs = {}
        if int(data[0]):
            typ, data = c.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            assert typ == "OK", data
            items = iter(data)
            for item in items:
                if not isinstance(item, tuple):
                    continue
                meta, content = item
                trailer = next(items, b"")  # ")" or the items after the literal
                meta += trailer if isinstance(trailer, bytes) else b""
                flags = frozenset(FLAGS.search(meta).group(1).decode().split())
                mid = message_id(content)
                assert mid not in msgs, f"{mid} twice in {name}"
                msgs[mid] = (int(UID.search(meta).group(1)), flags, normalize(content))
        state[name] = msgs
        c.unselect()
    return state


# --- the Maildir side ---------------------------------------------------------
def maildir_folders(root):
    """Folder names (with "/") of every Maildir under root (SubFolders Verbatim)."""
    out = []
    for d, dirs, _ in os.walk(root):
        if {"cur", "new", "tmp"} <= set(dirs):
            out.append(Path(d).relative_to(root).as_posix())
    return out


def maildir_flags(path):
    name = Path(path).name
    info = name.split(":2,", 1)[1] if ":2," in name else ""
    return frozenset(MAILDIR_FLAGS[ch] for ch in info if ch in MAILDIR_FLAGS)


def maildir_state(root):
    """{folder: {Message-ID: (path, flags, normalized content)}}."""
    state = {}
    for folder in maildir_folders(root):
        msgs = {}
        for sub in ("cur", "new"):
            for f in sorted((root / folder / sub).iterdir()):
                content = f.read_bytes()
                mid = message_id(content)
                assert mid not in msgs, f"{mid} twice in Maildir {folder}"
                msgs[mid] = (f, maildir_flags(f), normalize(content))
        state[folder] = msgs
    return state


def set_local_flags(path, flags):
    """Renames a Maildir message to carry `flags` (moves it from new/ to cur/)."""
    path = Path(path)
    base = path.name.split(":2,", 1)[0]
    letters = "".join(sorted(IMAP_TO_LETTER[f] for f in flags))
    target = path.parent.parent / "cur" / f"{base}:2,{letters}"
    path.rename(target)
    return target


def move_local(path, root, folder):
    """Moves a Maildir message to another folder as mbsync's manual asks:
    without the ",U=<uid>" of the old folder in its name."""
    path = Path(path)
    name = re.sub(r",U=\d+", "", path.name)
    target = root / folder / "cur" / name
    path.rename(target)
    return target


# --- comparing ---------------------------------------------------------------
def view(state):
    """{folder: {Message-ID: flags}} of either side."""
    return {folder: {mid: v[1] for mid, v in msgs.items()} for folder, msgs in state.items()}


def assert_in_sync(server, local, model, contents):
    assert sorted(server) == sorted(local), "folder lists differ"
    for folder in sorted(server):
        s, l = view(server)[folder], view(local)[folder]
        missing, extra = sorted(set(s) - set(l)), sorted(set(l) - set(s))
        assert not missing and not extra, f"{folder}: only on server {missing[:5]}, only local {extra[:5]}"
        differing = {mid: (s[mid], l[mid]) for mid in s if s[mid] != l[mid]}
        assert not differing, f"{folder}: flags differ (server, local): {list(differing.items())[:5]}"
        for mid, v in server[folder].items():
            assert v[2] == local[folder][mid][2], f"{folder} {mid}: content differs"
            assert v[2] == contents[mid], f"{folder} {mid}: content is not what was stored"
    assert view(server) == model


class Mbsync:
    def __init__(self, tmp, server):
        self.root = tmp / "Mail"
        self.root.mkdir()
        self.rc = tmp / "mbsyncrc"
        # Host "localhost": mbsync matches the certificate's DNS names only; a
        # certificate listed in CertificateFile is trusted as it is (pinned).
        # FSync no: the Maildir side is scratch; fsync per message there only
        # measures this shared machine's disk, not the server.
        self.rc.write_text(f"""FSync no

IMAPAccount postern
Host localhost
Port {server.imaps_port}
User {USER}
Pass {server.passwords[USER]}
SSLType IMAPS
CertificateFile {server.cert}
Timeout 30

IMAPStore postern-remote
Account postern

MaildirStore local
Path {self.root}/
Inbox {self.root}/INBOX
SubFolders Verbatim

Channel postern
Far :postern-remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
""")
        self.runs = []

    def sync(self):
        start = time.monotonic()
        p = subprocess.run(["mbsync", "-c", str(self.rc), "-a"], capture_output=True, text=True,
                           timeout=MBSYNC_TIMEOUT)
        self.runs.append(time.monotonic() - start)
        assert p.returncode == 0, f"mbsync exited {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
        return p


def populate(server):
    """Builds the 1,000-message tree; returns the model and the contents by Message-ID."""
    c = imap_login(server)
    for folder, count in TREE.items():
        if folder != "INBOX":
            assert c.create(folder)[0] == "OK"
        if folder == "INBOX":
            with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=15) as s:
                for n in range(count):
                    s.sendmail(f"sender{n}@example.org", [USER], make_message(folder, n))
        else:
            for n in range(count):
                flags = ["\\Seen"] if n % 3 == 0 else []
                if n % 10 == 0:
                    flags.append("\\Flagged")
                if n % 25 == 0:
                    flags.append("\\Answered")
                typ, data = c.append(folder, f"({' '.join(flags)})" if flags else None, None,
                                     make_message(folder, n))
                assert typ == "OK", data
    state = server_state(c)
    c.logout()
    assert set(state) == {"Lists", *TREE, *SPECIAL}
    contents = {mid: v[2] for msgs in state.values() for mid, v in msgs.items()}
    model = view(state)
    assert sum(len(m) for m in model.values()) == 1000
    return model, contents


def test_mbsync_two_way_sync_of_a_1000_message_tree(imap_server, tmp_path):
    server = imap_server
    model, contents = populate(server)
    mb = Mbsync(tmp_path, server)

    # --- 1. pull everything ---------------------------------------------------
    mb.sync()
    c = imap_login(server)
    local = maildir_state(mb.root)
    assert sum(len(m) for m in local.values()) == 1000
    assert_in_sync(server_state(c), local, model, contents)

    # --- 2. local changes, synced up -----------------------------------------
    inbox = sorted(local["INBOX"].items())
    for mid, (path, flags, _) in inbox[0:50]:  # read and flag
        set_local_flags(path, flags | {"\\Seen", "\\Flagged"})
        model["INBOX"][mid] = flags | {"\\Seen", "\\Flagged"}
    for mid, (path, flags, _) in inbox[50:70]:  # deleted (the file removed)
        path.unlink()
        del model["INBOX"][mid]
    for mid, (path, flags, _) in inbox[70:80]:  # trashed (T): expunged on both sides
        set_local_flags(path, flags | {"\\Deleted"})
        del model["INBOX"][mid]
    for mid, (path, flags, _) in inbox[80:110]:  # moved to Archive/2024
        move_local(path, mb.root, "Archive/2024")
        del model["INBOX"][mid]
        model["Archive/2024"][mid] = flags
    bar = sorted(local["Lists/bar"].items())
    for mid, (path, flags, _) in bar[0:30]:  # flags cleared
        set_local_flags(path, frozenset())
        model["Lists/bar"][mid] = frozenset()
    # A new local folder under an existing parent, with new messages.
    for sub in ("cur", "new", "tmp"):
        (mb.root / "Lists/local" / sub).mkdir(parents=True)
    model["Lists/local"] = {}
    for n in range(5):
        data = make_message("Lists/local", n).replace(b"\r\n", b"\n")
        (mb.root / "Lists/local/new" / f"{1700000000 + n}.M{n}P1.localhost").write_bytes(data)
        mid = message_id(data)
        model["Lists/local"][mid] = frozenset()
        contents[mid] = normalize(data)
    mb.sync()
    assert_in_sync(server_state(c), maildir_state(mb.root), model, contents)
    # The store agrees with what IMAP shows (no \Deleted rows left behind).
    stored = server.message_flags(USER, "INBOX")
    assert len(stored) == len(model["INBOX"]) == 400 - 60
    assert not any("\\Deleted" in f for _, f in stored.values())

    # --- 3. server changes over imaplib, synced down ---------------------------
    srv = server_state(c)

    def uids(folder, picked):
        return ",".join(str(srv[folder][mid][0]) for mid in picked)

    foo = sorted(srv["Lists/foo"])
    c.select("Lists/foo")
    assert c.uid("STORE", uids("Lists/foo", foo[0:40]), "+FLAGS", "(\\Seen)")[0] == "OK"
    assert c.uid("STORE", uids("Lists/foo", foo[40:60]), "+FLAGS", "(\\Flagged \\Answered)")[0] == "OK"
    for mid in foo[0:40]:
        model["Lists/foo"][mid] = model["Lists/foo"][mid] | {"\\Seen"}
    for mid in foo[40:60]:
        model["Lists/foo"][mid] = model["Lists/foo"][mid] | {"\\Flagged", "\\Answered"}
    typ, data = c.uid("MOVE", uids("Lists/foo", foo[100:120]), "Archive/2024")
    assert typ == "OK", data
    for mid in foo[100:120]:
        model["Archive/2024"][mid] = model["Lists/foo"].pop(mid)

    bar = sorted(srv["Lists/bar"])
    c.select("Lists/bar")
    assert c.uid("STORE", uids("Lists/bar", bar[30:60]), "-FLAGS", "(\\Seen \\Flagged)")[0] == "OK"
    for mid in bar[30:60]:
        model["Lists/bar"][mid] = model["Lists/bar"][mid] - {"\\Seen", "\\Flagged"}
    assert c.uid("STORE", uids("Lists/bar", bar[60:85]), "+FLAGS", "(\\Deleted)")[0] == "OK"
    typ, data = c.expunge()
    assert typ == "OK" and len([d for d in data if d]) == 25, data
    for mid in bar[60:85]:
        del model["Lists/bar"][mid]

    archive = sorted(srv["Archive/2024"])
    c.select("Archive/2024")
    typ, data = c.uid("COPY", uids("Archive/2024", archive[0:5]), "INBOX")
    assert typ == "OK", data
    for mid in archive[0:5]:
        model["INBOX"][mid] = model["Archive/2024"][mid]
    for n in range(10):
        data = make_message("server-new", n)
        flags = ("\\Seen",) if n % 2 else ()
        assert c.append("INBOX", f"({' '.join(flags)})", None, data)[0] == "OK"
        model["INBOX"][message_id(data)] = frozenset(flags)
        contents[message_id(data)] = normalize(data)
    assert c.create("Lists/baz")[0] == "OK"
    model["Lists/baz"] = {}
    for n in range(3):
        data = make_message("Lists/baz", n)
        assert c.append("Lists/baz", None, None, data)[0] == "OK"
        model["Lists/baz"][message_id(data)] = frozenset()
        contents[message_id(data)] = normalize(data)
    c.unselect()
    mb.sync()
    assert_in_sync(server_state(c), maildir_state(mb.root), model, contents)

    # --- 4. a sync with nothing to do changes nothing ----------------------------
    before = maildir_state(mb.root)
    mb.sync()
    after = maildir_state(mb.root)
    assert {f: {m: (v[0], v[1]) for m, v in msgs.items()} for f, msgs in before.items()} == \
           {f: {m: (v[0], v[1]) for m, v in msgs.items()} for f, msgs in after.items()}
    assert_in_sync(server_state(c), after, model, contents)
    c.logout()
    print(f"mbsync run times (s): {', '.join(f'{t:.2f}' for t in mb.runs)}")
