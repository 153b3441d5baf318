"""A bounded randomized concurrency test: 20 imaplib sessions (one thread
and one connection each, seeded random choices) APPEND / STORE / COPY / MOVE
/ EXPUNGE / FETCH / SEARCH / SELECT on three shared mailboxes for
POSTERN_IMAP_STRESS_SECONDS (default 30).

Each session keeps the view a client builds from the server's responses
(RFC 9051 §7.5.1: EXISTS, EXPUNGE, FETCH, in order) and checks it after
every command. Afterwards:
  - no mailbox holds a UID twice, and no UID was handed out twice
    (APPENDUID / COPYUID, RFC 4315);
  - MODSEQ follows the order of the changes (RFC 7162): a STORE that began
    after another one completed has a higher MODSEQ, different STOREs never
    share one, a message's MODSEQ never decreases, and HIGHESTMODSEQ as seen
    by each session never decreases;
  - every session's view after NOOP (count, UIDs, flags, MODSEQ) equals a
    fresh session's and the store's (`postern message list --flags`), and a
    QRESYNC client that last synced before the run catches up to it exactly;
  - a quarter of the sessions ENABLE QRESYNC and must get VANISHED, never
    EXPUNGE, for UIDs in their view;
  - no command failed (no NO, BAD or BYE: none is legitimate here, since
    UID commands ignore messages another session expunged).
"""

import bisect
import imaplib
import os
import random
import re
import socket
import threading
import time
from collections import Counter, defaultdict
from postern_harness import imap_quote

USER = "demo@example.test"
SECONDS = float(os.environ.get("POSTERN_IMAP_STRESS_SECONDS", "30"))
SESSIONS = 20
SEED = int(os.environ.get("POSTERN_IMAP_STRESS_SEED", "20240611"))
MAILBOXES = ("INBOX", "Shared/A", "Shared/B")
INITIAL = 25  # messages per mailbox before the sessions start
SYSTEM_FLAGS = ("\\Seen", "\\Flagged", "\\Answered", "\\Draft")

FETCH_UID = re.compile(rb"UID (\d+)")
FETCH_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
FETCH_MODSEQ = re.compile(rb"MODSEQ \((\d+)\)")


def uid_set(text):
    """{UIDs} of a UID set such as b"3,5:7" (COPYUID, APPENDUID)."""
    out = set()
    for item in text.decode().split(","):
        lo, _, hi = item.partition(":")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


class ProtocolError(AssertionError):
    pass


class LostTrack(Exception):
    """The view cannot follow a VANISHED for a message whose UID the session
    had not fetched yet (legal: it was announced by EXISTS): select again."""


class TrackedIMAP(imaplib.IMAP4):
    """imaplib with every untagged response (and response code) also kept
    in arrival order: imaplib itself files them by type and loses the order
    that sequence numbers depend on."""

    def __init__(self, *args, **kwargs):
        self.log = []
        super().__init__(*args, **kwargs)

    def _append_untagged(self, typ, dat):
        self.log.append((typ, dat))
        super()._append_untagged(typ, dat)


class Row:
    __slots__ = ("uid", "flags", "modseq")

    def __init__(self):
        self.uid = None
        self.flags = None
        self.modseq = 0


class Session:
    """One client: its connection, its view of the selected mailbox, and
    what it observed for the final checks."""

    def __init__(self, server, index, qresync=False):
        self.index = index
        self.qresync = qresync
        self.rng = random.Random(SEED * 1000 + index)
        self.c = TrackedIMAP("127.0.0.1", server.imap_port, timeout=30)
        self.c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.c.login(USER, server.passwords[USER])
        # QRESYNC sessions get VANISHED instead of EXPUNGE (RFC 7162 §3.2.10).
        self.ok(self.c.enable("QRESYNC" if qresync else "CONDSTORE"), "ENABLE")
        self.mailbox = None
        self.selecting = None
        self.lost = 0  # times LostTrack made it select again
        self.untracked = False
        self.view = []
        self.ops = 0
        self.counts = defaultdict(int)
        self.highest = {}           # mailbox -> highest HIGHESTMODSEQ seen
        self.row_modseq = {}        # (mailbox, uid) -> last MODSEQ seen
        self.stores = []            # (sent, done, modseq) of STOREs with a known MODSEQ
        self.assigned = []          # (mailbox, uid) handed out by APPENDUID / COPYUID
        self.uidvalidity = {}

    # --- responses -----------------------------------------------------------
    def ok(self, result, what):
        typ, data = result
        if typ != "OK":
            raise ProtocolError(f"session {self.index}: {what} -> {typ} {data}")
        return data

    def run(self, what, fn, *args, no_expunge=False):
        """Runs one command; folds its untagged responses into the view."""
        mark = len(self.c.log)
        sent = time.monotonic()
        result = fn(*args)
        done = time.monotonic()
        self.ok(result, what)
        window = self.c.log[mark:]
        self.c.untagged_responses.clear()
        if no_expunge and any(typ in ("EXPUNGE", "VANISHED") for typ, _ in window):
            # RFC 9051 §7.5.1: not during FETCH, STORE, SEARCH by sequence number.
            raise ProtocolError(f"session {self.index}: EXPUNGE during {what}: {window}")
        self.ops += 1
        self.apply(window)
        self.counts[what if what.startswith(("UID", "catch-up")) else what.split()[0]] += 1
        return result[1], window, sent, done

    def apply(self, window):
        for typ, dat in window:
            if typ == "CLOSED":
                # RFC 9051 §7.1: the previous mailbox's responses end here
                # (those pushed before this SELECT still belong to it).
                self.view = []
                self.mailbox = self.selecting
                self.untracked = False
            elif not self.untracked:
                try:
                    self.apply_one(typ, dat)
                except LostTrack:
                    self.untracked = True  # until the next SELECT's [CLOSED]
        if self.untracked:
            raise LostTrack()
        self.check_view()

    def apply_one(self, typ, dat):
        if typ == "EXISTS":
            n = int(dat)
            if n < len(self.view):
                raise ProtocolError(f"session {self.index}: EXISTS {n} below {len(self.view)} without EXPUNGE")
            self.view.extend(Row() for _ in range(n - len(self.view)))
        elif typ == "EXPUNGE":
            if self.qresync:
                raise ProtocolError(f"session {self.index}: EXPUNGE after ENABLE QRESYNC")
            n = int(dat)
            if not 1 <= n <= len(self.view):
                raise ProtocolError(f"session {self.index}: EXPUNGE {n} with {len(self.view)} messages")
            del self.view[n - 1]
        elif typ == "FETCH":
            self.apply_fetch(dat)
        elif typ == "HIGHESTMODSEQ":
            self.see_highest(int(dat.split()[0]))
        elif typ == "VANISHED":
            if not self.qresync or dat.startswith(b"(EARLIER)"):
                raise ProtocolError(f"session {self.index}: unexpected VANISHED {dat}")
            self.vanish(uid_set(dat))

    def vanish(self, uids):
        known = {r.uid for r in self.view}
        for uid in uids:
            if uid in known:
                self.view = [r for r in self.view if r.uid != uid]
            elif any(r.uid is None for r in self.view):
                raise LostTrack()  # one of the messages whose UID we do not know yet
            else:
                raise ProtocolError(f"session {self.index}: VANISHED {uid}, not in the view")

    def apply_fetch(self, dat):
        seq = int(dat.split(b" ", 1)[0])
        if not 1 <= seq <= len(self.view):
            raise ProtocolError(f"session {self.index}: FETCH for {seq} with {len(self.view)} messages: {dat}")
        row = self.view[seq - 1]
        m = FETCH_UID.search(dat)
        if m:
            uid = int(m.group(1))
            if row.uid is not None and row.uid != uid:
                raise ProtocolError(f"session {self.index}: message {seq} was UID {row.uid}, now {dat}")
            row.uid = uid
        m = FETCH_FLAGS.search(dat)
        if m:
            row.flags = frozenset(m.group(1).decode().split())
        m = FETCH_MODSEQ.search(dat)
        if m and row.uid is not None:
            modseq = int(m.group(1))
            key = (self.mailbox, row.uid)
            if modseq < self.row_modseq.get(key, 0):
                raise ProtocolError(f"session {self.index}: MODSEQ of {key} went from {self.row_modseq[key]} to {modseq}")
            self.row_modseq[key] = modseq
            row.modseq = modseq

    def see_highest(self, value, mailbox=None):
        mailbox = mailbox or self.mailbox
        if value < self.highest.get(mailbox, 0):
            raise ProtocolError(f"session {self.index}: HIGHESTMODSEQ of {mailbox} went from "
                                f"{self.highest[mailbox]} to {value}")
        self.highest[mailbox] = value

    def check_view(self):
        uids = [r.uid for r in self.view if r.uid is not None]
        if any(a >= b for a, b in zip(uids, uids[1:])):
            raise ProtocolError(f"session {self.index}: UIDs out of order in {self.mailbox}: {uids}")

    # --- helpers ---------------------------------------------------------------
    def known(self):
        return [r for r in self.view if r.uid is not None]

    def pick_uids(self, most=3):
        rows = self.known()
        if not rows:
            return []
        return sorted({r.uid for r in self.rng.sample(rows, min(len(rows), self.rng.randint(1, most)))})

    def keyword(self):
        return f"K{self.index}x{self.ops}"

    def record_assigned(self, mailbox, code):
        # "uidvalidity uid" (APPENDUID) or "uidvalidity src-set dst-set" (COPYUID)
        parts = code.decode().split()
        v = int(parts[0])
        if self.uidvalidity.setdefault(mailbox, v) != v:
            raise ProtocolError(f"UIDVALIDITY of {mailbox} changed: {self.uidvalidity[mailbox]} -> {v}")
        self.assigned.extend((mailbox, uid) for uid in uid_set(parts[-1].encode()))

    # --- operations ----------------------------------------------------------------
    def select(self, mailbox=None):
        mailbox = mailbox or self.rng.choice(MAILBOXES)
        self.selecting = mailbox
        if self.mailbox is None:
            self.mailbox = mailbox
        self.run("SELECT", self.c.select, imap_quote(mailbox))
        if self.mailbox != mailbox:
            raise ProtocolError(f"session {self.index}: SELECT {mailbox} from {self.mailbox} without [CLOSED]")
        self.fetch_all()

    def fetch_all(self, complete=False):
        """FETCH 1:n of the whole view. Messages announced by the EXISTS that
        may follow it are fetched by the next call; with `complete` (nothing
        else runs any more) every message must then be known."""
        if self.view:
            self.run("FETCH", self.c.fetch, f"1:{len(self.view)}", "(UID FLAGS MODSEQ)", no_expunge=True)
        missing = [i + 1 for i, r in enumerate(self.view) if r.uid is None]
        if missing and complete:
            raise ProtocolError(f"session {self.index}: FETCH left messages {missing} without UID")

    def op_append(self):
        mailbox = self.rng.choice(MAILBOXES)
        flags = [f for f in SYSTEM_FLAGS if self.rng.random() < 0.3]
        body = (f"From: s{self.index}@example.org\r\nSubject: session {self.index} op {self.ops}\r\n"
                f"Message-ID: <s{self.index}.{self.ops}@example.org>\r\n\r\n{'x' * self.rng.randint(10, 2000)}\r\n")
        _, window, _, _ = self.run("APPEND", self.c.append, imap_quote(mailbox),
                                   f"({' '.join(flags)})" if flags else None, None, body.encode())
        codes = [dat for typ, dat in window if typ == "APPENDUID"]
        if len(codes) != 1:
            raise ProtocolError(f"APPEND without APPENDUID: {window}")
        self.record_assigned(mailbox, codes[0])

    def op_store(self):
        mode = self.rng.choice(("FLAGS", "+FLAGS", "+FLAGS", "-FLAGS"))
        by_uid = self.rng.random() < 0.7
        if by_uid:
            uids = self.pick_uids()
            if not uids:
                return
            target = ",".join(map(str, uids))
        else:
            if not self.view:
                return
            lo = self.rng.randint(1, len(self.view))
            hi = min(len(self.view), lo + self.rng.randint(0, 2))
            target = f"{lo}:{hi}"
        if mode == "-FLAGS":
            flags = [f for f in SYSTEM_FLAGS if self.rng.random() < 0.5] or ["\\Seen"]
            kw = None
        else:
            kw = self.keyword()
            flags = [f for f in SYSTEM_FLAGS if self.rng.random() < 0.4] + [kw]
        args = (target, mode, f"({' '.join(flags)})")
        if by_uid:
            _, window, sent, done = self.run(f"STORE uid {mode}", self.c.uid, "STORE", *args)
        else:
            _, window, sent, done = self.run(f"STORE seq {mode}", self.c.store, *args, no_expunge=True)
        if kw is None:
            return
        # Our own change: the first FETCH whose flags carry this STORE's keyword
        # (FETCHes before it were other sessions' changes).
        modseqs = {int(FETCH_MODSEQ.search(dat).group(1)) for typ, dat in window
                   if typ == "FETCH" and kw.encode() in (FETCH_FLAGS.search(dat) or [b"", b""])[1].split()}
        if len(modseqs) > 1:
            # Several rows changed in one STORE share one MODSEQ, unless a
            # later change by another session was announced as well.
            modseqs = {min(modseqs)}
        if modseqs:
            self.stores.append((sent, done, modseqs.pop()))

    def op_conditional_store(self):
        rows = self.known()
        if not rows:
            return
        row = self.rng.choice(rows)
        kw, since = self.keyword(), row.modseq
        data, window, _, _ = self.run("STORE unchangedsince", self.c.uid, "STORE", str(row.uid),
                                      f"(UNCHANGEDSINCE {since})", "+FLAGS", f"({kw})")
        # RFC 7162 §3.1.3: either stored with a new MODSEQ, or refused as
        # MODIFIED because another session changed the message after `since`.
        # (Neither when another session expunged it meanwhile.)
        modified = [dat for typ, dat in window if typ == "MODIFIED"]
        changed = [dat for typ, dat in window if typ == "FETCH" and kw.encode() in dat]
        if modified and changed:
            raise ProtocolError(f"conditional STORE both refused and stored: {window}")
        for dat in changed:
            if int(FETCH_MODSEQ.search(dat).group(1)) <= since:
                raise ProtocolError(f"conditional STORE kept MODSEQ {since}: {dat}")

    def op_copy(self, move):
        uids = self.pick_uids()
        if not uids:
            return
        dest = self.rng.choice(MAILBOXES)
        if move and dest == self.mailbox:
            dest = MAILBOXES[(MAILBOXES.index(dest) + 1) % len(MAILBOXES)]
        cmd = "MOVE" if move else "COPY"
        _, window, _, _ = self.run(cmd, self.c.uid, cmd, ",".join(map(str, uids)), imap_quote(dest))
        for typ, dat in window:
            if typ == "COPYUID":
                self.record_assigned(dest, dat)
                # RFC 6851 §3.3: what was moved is expunged from the source at once.
                moved = uid_set(dat.split()[1])
                if move and moved & {r.uid for r in self.view}:
                    raise ProtocolError(f"session {self.index}: MOVE left {moved} in the view")
                if not moved <= set(uids):
                    raise ProtocolError(f"session {self.index}: {cmd} of {uids} reported {dat}")

    def op_expunge(self):
        uids = self.pick_uids(2)
        if not uids:
            return
        target = ",".join(map(str, uids))
        self.run("STORE uid deleted", self.c.uid, "STORE", target, "+FLAGS.SILENT", "(\\Deleted)")
        # Whether they go depends on the others too (a FLAGS replace may
        # have removed \Deleted meanwhile): the final comparison checks it.
        if self.rng.random() < 0.7:
            self.run("UID EXPUNGE", self.c.uid, "EXPUNGE", target)
        else:
            self.run("EXPUNGE", self.c.expunge)

    def op_search(self):
        data, _, _, _ = self.run("SEARCH", self.c.search, None, self.rng.choice(("ALL", "UNSEEN", "FLAGGED")),
                                 no_expunge=True)
        found = [int(x) for x in data[0].split()] if data and data[0] else []
        if any(n > len(self.view) for n in found):
            raise ProtocolError(f"session {self.index}: SEARCH found {found} with {len(self.view)} messages")

    def op_status(self):
        mailbox = self.rng.choice(MAILBOXES)
        data, _, _, _ = self.run("STATUS", self.c.status, imap_quote(mailbox), "(MESSAGES UIDNEXT HIGHESTMODSEQ)")
        m = re.search(rb"HIGHESTMODSEQ (\d+)", data[0])
        self.see_highest(int(m.group(1)), mailbox)

    def step(self):
        try:
            self.random_op()
            self.catch_up()
        except LostTrack:
            for attempt in range(5):
                self.lost += 1
                try:
                    self.select(self.mailbox)
                    self.catch_up()
                    break
                except LostTrack:
                    if attempt == 4:
                        raise

    def catch_up(self):
        """QRESYNC sessions: VANISHED names UIDs, so learn those of new messages at once."""
        for _ in range(3):
            if not self.qresync or all(r.uid is not None for r in self.view):
                return
            top = max((r.uid for r in self.view if r.uid is not None), default=0)
            self.run("catch-up UID FETCH", self.c.uid, "FETCH", f"{top + 1}:*", "(UID FLAGS MODSEQ)")

    def random_op(self):
        r = self.rng.random()
        if r < 0.14:
            self.op_append()
        elif r < 0.42:
            self.op_store()
        elif r < 0.47:
            self.op_conditional_store()
        elif r < 0.56:
            self.op_copy(move=False)
        elif r < 0.65:
            self.op_copy(move=True)
        elif r < 0.75:
            self.op_expunge()
        elif r < 0.82:
            self.fetch_all()
        elif r < 0.86:
            self.op_search()
        elif r < 0.90:
            self.op_status()
        elif r < 0.94:
            self.run("NOOP", self.c.noop)
        else:
            self.select()

    def final_view(self):
        """(UID, flags, MODSEQ) of every message after NOOP, checked against
        what the session had built from the responses before."""
        self.run("NOOP", self.c.noop)
        before = [r.uid for r in self.view if r.uid is not None]
        self.fetch_all(complete=True)
        if set(before) - {r.uid for r in self.view}:
            raise ProtocolError(f"session {self.index}: UIDs {set(before) - {r.uid for r in self.view}} "
                                f"vanished from the view without EXPUNGE")
        return [(r.uid, r.flags, r.modseq) for r in self.view]


def fresh_view(server, mailbox):
    s = Session(server, 999)
    s.select(mailbox)
    v = s.final_view()
    s.c.logout()
    return v


def qresync_resync(server, mailbox, uidvalidity, modseq, before):
    """What a QRESYNC client that knew `before` ({uid: flags}) at `modseq`
    learns from SELECT (QRESYNC ...) (RFC 7162 §3.2.5.1): returns {uid: (flags, modseq)}."""
    s = Session(server, 997)
    s.ok(s.c.enable("QRESYNC"), "ENABLE QRESYNC")
    s.mailbox = mailbox
    mark = len(s.c.log)
    s.ok(s.c._simple_command("SELECT", f"{imap_quote(mailbox)} (QRESYNC ({uidvalidity} {modseq}))"), "SELECT")
    s.c.state = "SELECTED"
    state = {uid: (flags, 0) for uid, flags in before.items()}
    exists = None
    for typ, dat in s.c.log[mark:]:
        if typ == "VANISHED":
            assert dat.startswith(b"(EARLIER) "), dat
            for uid in uid_set(dat.split()[1]):
                state.pop(uid, None)
        elif typ == "FETCH":
            uid = int(FETCH_UID.search(dat).group(1))
            state[uid] = (frozenset(FETCH_FLAGS.search(dat).group(1).decode().split()),
                          int(FETCH_MODSEQ.search(dat).group(1)))
        elif typ == "EXISTS":
            exists = int(dat)
    s.c.logout()
    assert exists == len(state), f"{mailbox}: EXISTS {exists}, resynchronized {len(state)}"
    return state


def check_modseq_order(stores):
    """A STORE that was sent after another one completed has a higher MODSEQ."""
    by_done = sorted(stores, key=lambda s: s[1])
    done_times = [s[1] for s in by_done]
    prefix_max, best = [], 0
    for s in by_done:
        best = max(best, s[2])
        prefix_max.append(best)
    for sent, done, modseq in stores:
        i = bisect.bisect_left(done_times, sent)  # STOREs completed before this one was sent
        if i and prefix_max[i - 1] >= modseq:
            raise AssertionError(f"MODSEQ {modseq} (sent {sent:.4f}) not above {prefix_max[i - 1]} "
                                 f"of a STORE completed before")
    modseqs = [s[2] for s in stores]
    dupes = {m for m in modseqs if modseqs.count(m) > 1}
    assert not dupes, f"different STOREs got the same MODSEQ: {sorted(dupes)[:10]}"


def test_twenty_sessions_randomized_for_a_bounded_time(imap_server):
    server = imap_server
    setup = Session(server, 0)
    for name in MAILBOXES[1:]:
        setup.ok(setup.c.create(imap_quote(name)), "CREATE")
    for name in MAILBOXES:
        for n in range(INITIAL):
            setup.ok(setup.c.append(imap_quote(name), "(\\Seen)" if n % 2 else None, None,
                                    f"Subject: initial {n}\r\n\r\nhello {n}\r\n".encode()), "APPEND")

    # What a QRESYNC client knows of each mailbox before the run.
    known = {}
    for name in MAILBOXES:
        data, _, _, _ = setup.run("STATUS", setup.c.status, imap_quote(name), "(UIDVALIDITY HIGHESTMODSEQ)")
        v, m = re.search(rb"UIDVALIDITY (\d+) HIGHESTMODSEQ (\d+)", data[0]).groups()
        known[name] = (int(v), int(m), {uid: flags for uid, flags, _ in fresh_view(server, name)})
    setup.c.logout()

    sessions = [Session(server, i, qresync=i % 4 == 3) for i in range(SESSIONS)]
    for s in sessions:
        s.select()
    stop = threading.Event()
    errors = []
    deadline = time.monotonic() + SECONDS

    def work(s):
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                s.step()
        except Exception as e:  # noqa: BLE001 - reported below with the session's index
            errors.append((s.index, repr(e), f"view of {s.mailbox}: {[r.uid for r in s.view]}",
                           f"last responses: {s.c.log[-30:]}"))
            stop.set()

    threads = [threading.Thread(target=work, args=(s,), daemon=True) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 60)
    assert not any(t.is_alive() for t in threads), "a session hung"
    for e in errors[:3]:
        print("\n".join(map(str, e)))
    assert not errors, [e[:2] for e in errors[:5]]
    total = sum(s.ops for s in sessions)
    counts = defaultdict(int)
    for s in sessions:
        for k, v in s.counts.items():
            counts[k] += v
    print(f"\n{total} commands in {SECONDS:.0f}s by {SESSIONS} sessions ({total / SECONDS:.0f}/s): "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    # No UID handed out twice, none stored twice.
    assigned = [a for s in sessions for a in s.assigned]
    dupes = sorted(a for a, n in Counter(assigned).items() if n > 1)
    assert not dupes, f"UIDs assigned twice: {dupes[:10]}"
    stores = [st for s in sessions for st in s.stores]
    assert len(stores) > total / 10, "too few STOREs with a known MODSEQ to check their order"
    check_modseq_order(stores)
    print(f"{len(assigned)} UIDs assigned, {len(stores)} STOREs ordered by MODSEQ, "
          f"{sum(s.lost for s in sessions)} re-SELECTs after VANISHED of a not yet fetched UID")

    # Every session's view after NOOP == a fresh session's == the store's.
    stored = {}
    for name in MAILBOXES:
        rows = server.message_flags(USER, name)
        stored[name] = [(uid, flags, modseq) for uid, (modseq, flags) in sorted(rows.items())]
        uids = [u for u, _, _ in stored[name]]
        assert len(uids) == len(set(uids))
        fresh = fresh_view(server, name)
        assert fresh == stored[name], f"{name}: a fresh session's view differs from the store"
        # A QRESYNC client that last synced before the run catches up exactly.
        resynced = qresync_resync(server, name, *known[name])
        assert sorted((uid, flags) for uid, (flags, _) in resynced.items()) == \
            [(uid, flags) for uid, flags, _ in stored[name]], f"{name}: QRESYNC resync differs from the store"
    for s in sessions:
        v = s.final_view()
        assert v == stored[s.mailbox], f"session {s.index} on {s.mailbox}: view differs from the store"
        s.c.logout()
    # The rows' MODSEQs are within the mailbox's HIGHESTMODSEQ.
    c = Session(server, 998)
    for name in MAILBOXES:
        data, _, _, _ = c.run("STATUS", c.c.status, imap_quote(name), "(MESSAGES HIGHESTMODSEQ UIDNEXT)")
        m = re.search(rb"MESSAGES (\d+) HIGHESTMODSEQ (\d+) UIDNEXT (\d+)", data[0])
        messages, highest, uidnext = (int(x) for x in m.groups())
        assert messages == len(stored[name])
        assert all(modseq <= highest for _, _, modseq in stored[name])
        assert all(uid < uidnext for uid, _, _ in stored[name])
        assert all(uid < uidnext for mailbox, uid in assigned if mailbox == name)
        for s in sessions:
            assert s.highest.get(name, 0) <= highest
    c.c.logout()
