#!/usr/bin/python3
"""IMAP side by side: Postern and Dovecot (Debian's dovecot-imapd, Maildir,
fsync as shipped) serving the same mailbox of N messages (bench/imap_corpus.py)
on loopback, in the same run.

Loading. The corpus is made once and cached under bench/.cache. Postern gets
it through IMAP APPEND (LITERAL+, several pipelined connections; durable like
any APPEND); the APPENDUID answers say which UID each message got. Dovecot's
Maildir is then made of hard links to the cached files, named so that
Dovecot gives each message the UID Postern gave it: UID n is the same
message in both servers. Dovecot builds its index on the first SELECT.

Warm-up. Each server then runs the whole workload once, untimed: Dovecot
indexes, and caches the headers SEARCH asks for, as it would for a real
user; both have the data in the OS page cache.

Timed, alternating servers, several rounds, median; each round opens a new
connection and logs in (untimed), then times, in this one connection:
  SELECT INBOX                 first SELECT of a new connection: for Dovecot a
                               new imap process opening its (warm) index, for
                               Postern the session's view loaded from SQLite
  NOOP                         a client's poll for changes (there are none)
  UID FETCH 1:* (FLAGS)
  SEARCH TEXT "<rare word>"    body + header scan, ~1 % hits
  UID SEARCH SUBJECT "<word>"  ~2 % hits
  FETCH 1:100 (BODY.PEEK[])
Times run from sending the command to receiving its tagged answer. Answers
are checked: EXISTS, the number of FLAGS lines, SEARCH hits against what the
generator planted, BODY[] bytes against the stored files. A command answered
NO/BAD is reported as unsupported, not timed.

Mixed workload (bench/imap_mixed.py): 50 concurrent clients in short
sessions on the big INBOX (LOGIN, SELECT, FETCH headers of new mail, STORE
flags, UID EXPUNGE, LOGOUT) while new mail is APPENDed at a fixed rate;
commands/s and latency p50/p99. Each server's run starts from the same
mailbox.

Memory. Resident memory of the whole server: Postern's one process; for
Dovecot the master and every child (auth, config, log, anvil, stats,
imap-login, one imap process per logged-in connection). Each process's PSS
(shared pages divided among the processes sharing them; what the machine
really spends) is summed, and the RSS sum and the anonymous (not
file-mapped) part are reported beside it. The server is restarted, measured
with no connection, then with C connections logged in, SELECTed and in IDLE:
  - C = 5,000 on a small mailbox (10 messages; another user), and
  - C = 200 on the big INBOX;
per-connection bytes = (with - idle) / C. Dovecot is measured as shipped
(no IDLE hibernation), then with imap_hibernate_timeout = 5s (its documented
mode for many IDLE clients; fs.inotify.max_user_instances raised for it and
restored afterwards).

Passwords: Dovecot {PLAIN}; Postern's users are created with the cheapest
Argon2id cost (POSTERN_ARGON2_TEST_COST=1) so that logging in 2,000
connections measures the servers, not the hash.

Writes bench/results/imap.json and bench/results/imap.md (merged into
latest.md by bench/report.py).

Usage: bench/imap_bench.py [--quick] [--messages N] [--rounds N] [--text-rounds N]
       [--idle-connections N] [--big-idle-connections N] [--no-peer]
"""
import argparse
import asyncio
import hashlib
import json
import os
import pathlib
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import imap_corpus  # noqa: E402
import imap_mixed  # noqa: E402
import peers  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
POSTERN = ROOT / "build/release/src/cli/postern"
RESULTS = ROOT / "bench/results"
CACHE = ROOT / "bench/.cache"
SMALL_MESSAGES = 10  # the IDLE user's mailbox
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(100):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open")


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def imap_date(t):
    return time.strftime('"%d-%b-%Y %H:%M:%S +0000"', time.gmtime(t))


# ---------------------------------------------------------------- client

class ImapError(Exception):
    pass


class Client:
    """A blocking IMAP client over a raw socket that finds the tagged answer
    with C-speed scans (bytes.find, one regex for literals), so that reading
    a 100,000-line answer costs the client little next to the server."""

    def __init__(self, port, timeout=300):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = bytearray()
        self.n = 0
        self._fill_until(lambda: self.buf.find(b"\r\n") >= 0)
        del self.buf[:self.buf.find(b"\r\n") + 2]

    def _fill_until(self, done):
        while not done():
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ImapError("connection closed")
            self.buf += chunk

    def _read_tagged(self, tag):
        """The answer up to and including the tagged line. `scan` only moves
        past text that holds neither a literal marker nor the tagged line."""
        needle = b"\r\n" + tag + b" "
        scan = 0
        while True:
            if scan == 0 and self.buf.startswith(tag + b" "):
                at = 0
            else:
                t = self.buf.find(needle, max(0, scan - 2))
                at = t + 2 if t >= 0 else -1
            m = LITERAL.search(self.buf, scan)
            if m and (at < 0 or m.start() < at):
                end = m.end() + int(m.group(1))
                if len(self.buf) >= end:
                    scan = end  # skip the literal's octets
                    continue
            elif at >= 0:
                e = self.buf.find(b"\r\n", at)
                if e >= 0:
                    out = bytes(self.buf[:e + 2])
                    del self.buf[:e + 2]
                    return out
            else:
                scan = max(scan, len(self.buf) - 32)
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ImapError("connection closed")
            self.buf += chunk

    def run(self, command):
        """Sends one command; returns (whole answer, status, seconds)."""
        self.n += 1
        tag = b"T%d" % self.n
        t0 = time.perf_counter()
        self.sock.sendall(tag + b" " + command.encode() + b"\r\n")
        out = self._read_tagged(tag)
        dt = time.perf_counter() - t0
        last = out[out.rfind(b"\r\n", 0, len(out) - 2) + 2:] if out.count(b"\r\n") > 1 else out
        status = last.split(b" ", 2)[1].decode()
        return out, status, dt, last.decode(errors="replace").strip()

    def ok(self, command):
        out, status, dt, last = self.run(command)
        if status != "OK":
            raise ImapError(f"{command!r}: {last}")
        return out, dt

    def close(self):
        try:
            self.sock.sendall(b"Z LOGOUT\r\n")
        except OSError:
            pass
        self.sock.close()


# ---------------------------------------------------------------- memory

def smaps(pid):
    """(RSS, PSS, anonymous PSS) of one process, in bytes."""
    vals = {"Rss:": 0, "Pss:": 0, "Pss_Anon:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key = line.split(None, 1)[0]
                if key in vals:
                    vals[key] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return vals["Rss:"], vals["Pss:"], vals["Pss_Anon:"]


def cpu_seconds(pids):
    """CPU time used so far by every thread of `pids` (schedstat: ns)."""
    total = 0
    for p in pids:
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/schedstat") as f:
                    total += int(f.read().split()[0])
        except (OSError, ValueError):
            pass
    return total / 1e9


def descendants(root):
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def proc_name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


# ---------------------------------------------------------------- servers

class Postern:
    name = "postern"

    def __init__(self, base):
        self.base = base / "postern"
        self.port = free_port()
        self.proc = None
        self.user = "bench@example.test"
        self.password = "benchpass"
        self.idle_user = "idler@example.test"

    def version(self):
        r = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True)
        return "postern " + r.stdout.strip()

    def cli(self, *a, input=None):
        env = dict(os.environ, POSTERN_ARGON2_TEST_COST="1")
        return subprocess.run([str(POSTERN), "--config", str(self.cfg), *a], input=input, text=True,
                              check=True, capture_output=True, env=env).stdout

    def setup(self):
        peers.discard(self.base)
        self.base.mkdir(parents=True)
        self.cfg = self.base / "postern.toml"
        # Connection limits (total, per address and protocol) far above the
        # idle-connection count measured.
        self.cfg.write_text(f"""[server]
hostname = "bench.example.test"
data_dir = "data"
log_level = "warn"
dev_mode = true
# The peers have no per-session command pacing: none here either.
max_connections = 100000
commands_per_second = 0
[smtp]
max_connections_per_ip = 100000
[imap]
max_connections_per_ip = 100000
[pop3]
max_connections_per_ip = 100000
[[listener]]
protocol = "imap"
address = "127.0.0.1:{self.port}"
tls = "none"
""")
        self.cli("domain", "add", "example.test")
        self.cli("user", "add", self.user, input=self.password + "\n")
        self.cli("user", "add", self.idle_user, input=self.password + "\n")

    def start(self):
        self.log = open(self.base / "server.log", "a")
        self.proc = subprocess.Popen([str(POSTERN), "--config", str(self.cfg), "serve"], stderr=self.log)
        wait_port(self.port)

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=120)
            self.proc = None

    def pids(self):
        return [self.proc.pid]

    def load(self, corpus_dir, files, dates, user):
        """APPENDs the files in order over several pipelined connections;
        returns the UID of each (from APPENDUID) and the messages/s."""
        return asyncio.run(_append_all(self.port, user, self.password, corpus_dir, files, dates))


async def _append_all(port, user, password, corpus_dir, files, dates, connections=16, window=8):
    uids = [0] * len(files)
    next_i = 0
    t0 = time.perf_counter()

    async def worker():
        nonlocal next_i
        r, w = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        await r.readline()
        w.write(f"L LOGIN {quote(user)} {quote(password)}\r\n".encode())
        line = await r.readline()
        while not line.startswith(b"L "):
            line = await r.readline()
        if not line.startswith(b"L OK"):
            raise ImapError("login: " + line.decode())
        inflight = {}
        while True:
            while len(inflight) < window and next_i < len(files):
                i = next_i
                next_i += 1
                data = crlf((corpus_dir / "cur" / files[i]).read_bytes())
                tag = b"A%d" % i
                inflight[tag] = i
                w.write(tag + b" APPEND INBOX " + imap_date(dates[i]).encode() + b" {%d+}\r\n" % len(data) + data + b"\r\n")
            if not inflight:
                break
            await w.drain()
            line = await r.readline()
            tag = line.split(b" ", 1)[0]
            if tag in inflight:
                i = inflight.pop(tag)
                m = re.search(rb"\[APPENDUID \d+ (\d+)\]", line)
                if not line.startswith(tag + b" OK") or not m:
                    raise ImapError(f"APPEND of message {i}: {line!r}")
                uids[i] = int(m.group(1))
        w.write(b"Z LOGOUT\r\n")
        await w.drain()
        w.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return uids, len(files) / (time.perf_counter() - t0)


DOVECOT_CONF = """# Loopback Dovecot for bench/imap_bench.py (from ../shared/peers/dovecot.conf).
instance_name = postern-bench-{port}
base_dir = {base}/run
state_dir = {base}/state
protocols = imap
listen = 127.0.0.1
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {uid}
mail_location = maildir:{base}/mail/%n/Maildir
# mail_fsync stays at its default (optimized), as shipped
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {base}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/mail/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
protocol imap {{
  mail_max_userip_connections = 100000
}}
# Room for {limit} IMAP sessions: one imap process each (Debian's default).
default_client_limit = {client_limit}
default_process_limit = {limit}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  # "high-performance" login mode (Dovecot docs)
  service_count = 0
  process_min_avail = 2
}}
service imap {{
  process_limit = {limit}
  unix_listener imap-master {{
    user = $default_internal_user
  }}
}}
service imap-hibernate {{
  unix_listener imap-hibernate {{
    mode = 0660
    group = $default_internal_group
  }}
}}
imap_hibernate_timeout = {hibernate}
"""


class Dovecot:
    name = "dovecot"

    def __init__(self, base, limit):
        self.base = base / "dovecot"
        self.port = free_port()
        self.limit = limit
        self.user = "bench"
        self.password = "benchpass"
        self.idle_user = "idler"
        self.hibernate = "0"

    @staticmethod
    def available():
        return shutil.which("dovecot") or os.path.exists("/usr/sbin/dovecot")

    def version(self):
        r = subprocess.run(["dovecot", "--version"], capture_output=True, text=True)
        return "dovecot " + r.stdout.strip()

    def setup(self):
        import pwd
        mail = pwd.getpwnam("mail")
        self.uid, self.gid = mail.pw_uid, mail.pw_gid
        peers.discard(self.base)
        for d in ("run", "state", "mail"):
            (self.base / d).mkdir(parents=True)
        (self.base / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n"
                                         f"{self.idle_user}:{{PLAIN}}{self.password}\n")
        self.write_config()

    def write_config(self):
        (self.base / "dovecot.conf").write_text(DOVECOT_CONF.format(
            base=self.base, port=self.port, uid=self.uid, gid=self.gid, limit=self.limit + 100,
            client_limit=2 * self.limit + 1000, hibernate=self.hibernate))

    def load(self, corpus_dir, files, uids, user):
        """A Maildir of hard links to the cached files, one per UID, named
        (timestamp order) so that Dovecot numbers them as `uids` says."""
        cur = self.base / "mail" / user / "Maildir" / "cur"
        for d in ("cur", "new", "tmp"):
            (cur.parent / d).mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        for f, uid in zip(files, uids):
            rest = f.split(",", 1)[1]  # "S=...,W=...:2,"
            os.link(corpus_dir / "cur" / f, cur / f"{imap_corpus.FIRST_DATE + uid}.M{uid}P1.bench,{rest}")
        subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", str(self.base / "mail" / user)], check=True)
        return time.perf_counter() - t0

    def start(self):
        # The daemon keeps its stdout/stderr: a file, not a pipe we would wait on.
        with open(self.base / "start.log", "w+") as out:
            r = subprocess.run(["dovecot", "-c", str(self.base / "dovecot.conf")], stdout=out, stderr=out)
            if r.returncode != 0:
                out.seek(0)
                raise RuntimeError("dovecot start failed: " + out.read())
        wait_port(self.port)

    def master_pid(self):
        return int((self.base / "run/master.pid").read_text())

    def pids(self):
        return descendants(self.master_pid())

    def imap_processes(self):
        return sum(1 for p in self.pids() if proc_name(p) == "imap")

    def stop(self):
        try:
            pid = self.master_pid()
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        end = time.time() + 60
        while time.time() < end and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.1)


def memory(server):
    rss = pss = anon = 0
    procs = server.pids()
    for p in procs:
        r, s, a = smaps(p)
        rss += r
        pss += s
        anon += a
    return {"rss": rss, "pss": pss, "anon": anon, "processes": len(procs)}


# ---------------------------------------------------------------- workload

class Workload:
    def __init__(self, n, manifest, uids):
        self.n = n
        self.rare = manifest["rare_word"]
        self.subject = manifest["subject_word"]
        msgs = manifest["messages"]
        self.rare_uids = sorted(uids[i] for i, m in enumerate(msgs) if m[2])
        self.subject_uids = sorted(uids[i] for i, m in enumerate(msgs) if m[3])
        self.seq_of = {u: k + 1 for k, u in enumerate(sorted(uids))}

    def ops(self):
        return [
            ("noop", "NOOP", lambda out: None),
            ("fetch_flags", "UID FETCH 1:* (FLAGS)", self.check_flags),
            ("search_text", f"SEARCH TEXT {quote(self.rare)}", self.check_search_text),
            ("search_subject", f"UID SEARCH SUBJECT {quote(self.subject)}", self.check_search_subject),
            ("fetch_body_100", "FETCH 1:100 (BODY.PEEK[])", self.check_bodies),
        ]

    def check_select(self, out):
        m = re.search(rb"\* (\d+) EXISTS", out)
        if not m or int(m.group(1)) != self.n:
            raise ImapError(f"SELECT: expected {self.n} EXISTS, got {m.group(1) if m else None}")

    def check_flags(self, out):
        k = out.count(b" FETCH (")
        if k != self.n:
            raise ImapError(f"UID FETCH FLAGS: {k} answers for {self.n} messages")

    @staticmethod
    def _hits(out):
        m = re.search(rb"\* SEARCH([ 0-9]*)\r\n", out)
        return sorted(int(x) for x in m.group(1).split()) if m else None

    def check_search_text(self, out):
        hits = self._hits(out)
        want = sorted(self.seq_of[u] for u in self.rare_uids)
        if hits != want:
            raise ImapError(f"SEARCH TEXT: {len(hits or [])} hits, expected {len(want)}")

    def check_search_subject(self, out):
        hits = self._hits(out)
        if hits != self.subject_uids:
            raise ImapError(f"UID SEARCH SUBJECT: {len(hits or [])} hits, expected {len(self.subject_uids)}")

    def check_bodies(self, out):
        # The 100 literals, in order; their digest must match the files'.
        bodies, pos = [], 0
        while True:
            m = LITERAL.search(out, pos)
            if not m:
                break
            size = int(m.group(1))
            bodies.append(out[m.end():m.end() + size])
            pos = m.end() + size
        want = min(100, self.n)
        if len(bodies) != want:
            raise ImapError(f"FETCH BODY.PEEK[]: {len(bodies)} bodies, expected {want}")
        return hashlib.sha256(b"".join(bodies)).hexdigest()


def one_round(server, work, skip=()):
    """New connection, LOGIN, then the timed commands (but those in `skip`).
    Returns {op: seconds or None (unsupported)}, {op: server CPU seconds},
    {op: note}, body digest. Server CPU is what all the server's threads and
    processes used while the command ran: unlike the elapsed time, it hardly
    moves when other work competes for the machine's cores."""
    c = Client(server.port)
    times, cpu, notes, digest = {}, {}, {}, None
    try:
        c.ok(f"LOGIN {quote(server.user)} {quote(server.password)}")
        pids = server.pids()
        c0 = cpu_seconds(pids)
        out, dt = c.ok("SELECT INBOX")
        pids = server.pids()  # Dovecot: the imap process of this connection
        cpu["select"] = cpu_seconds(pids) - c0
        work.check_select(out)
        times["select"] = dt
        for op, cmd, check in work.ops():
            if op in skip:
                continue
            c0 = cpu_seconds(pids)
            out, status, dt, last = c.run(cmd)
            used = cpu_seconds(pids) - c0
            if status != "OK":
                times[op], cpu[op], notes[op] = None, None, last
                continue
            try:
                r = check(out)
            except ImapError as e:
                times[op], cpu[op], notes[op] = None, None, f"wrong answer: {e}"
                continue
            if op == "fetch_body_100":
                digest = r
            times[op], cpu[op] = dt, used
    finally:
        c.close()
    return times, cpu, notes, digest


# ---------------------------------------------------------------- IDLE memory

async def _open_idle(port, user, password, count, parallel=32):
    sem = asyncio.Semaphore(parallel)
    conns, errors = [], []

    async def one():
        async with sem:
            try:
                r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 60)
                await asyncio.wait_for(r.readline(), 60)
                for tag, cmd in ((b"a", f"LOGIN {quote(user)} {quote(password)}"), (b"b", "SELECT INBOX")):
                    w.write(tag + b" " + cmd.encode() + b"\r\n")
                    while True:
                        line = await asyncio.wait_for(r.readline(), 300)
                        if not line:
                            raise ImapError("closed")
                        if line.startswith(tag + b" "):
                            break
                    if not line.startswith(tag + b" OK"):
                        raise ImapError(line.decode(errors="replace").strip())
                w.write(b"c IDLE\r\n")
                while True:
                    line = await asyncio.wait_for(r.readline(), 60)
                    if not line:
                        raise ImapError("closed")
                    if line.startswith(b"+"):
                        break
                conns.append((r, w))
            except (OSError, ImapError, asyncio.TimeoutError) as e:
                errors.append(repr(e))

    await asyncio.gather(*(one() for _ in range(count)))
    return conns, errors


def idle_memory(server, user, count, settle):
    """Memory of the freshly restarted server idle, then with `count`
    connections of `user` in IDLE. Restarting first keeps the heap that
    earlier work freed (and the allocator kept) out of the figure."""
    server.stop()
    server.start()
    time.sleep(1)
    before = memory(server)

    async def run():
        t0 = time.perf_counter()
        conns, errors = await _open_idle(server.port, user, server.password, count)
        opened = time.perf_counter() - t0
        await asyncio.sleep(settle)
        during = memory(server)
        # All still there? A closed connection reads EOF at once; an open
        # one times out, or reads an untagged line the server pushed.
        alive = 0
        for r, _ in conns:
            try:
                alive += 1 if await asyncio.wait_for(r.read(1), 0.01) else 0
            except asyncio.TimeoutError:
                alive += 1
        for _, w in conns:
            w.close()
        return conns, errors, opened, during, alive

    conns, errors, opened, during, alive = asyncio.run(run())
    # Let the server notice the closes (Dovecot: its imap processes exit).
    end = time.time() + 120
    while isinstance(server, Dovecot) and server.imap_processes() > 0 and time.time() < end:
        time.sleep(0.2)
    time.sleep(1)
    n = max(1, alive)
    res = {"connections": count, "established": len(conns), "alive_at_measure": alive,
           "errors": errors[:5], "error_count": len(errors), "open_seconds": round(opened, 2),
           "idle": before, "with_connections": during,
           "pss_per_connection": (during["pss"] - before["pss"]) / n,
           "anon_per_connection": (during["anon"] - before["anon"]) / n,
           "rss_per_connection": (during["rss"] - before["rss"]) / n}
    print(f"  {server.name:8s} {user} x{count}: alive={alive} errors={len(errors)} open={opened:.1f}s "
          f"idle PSS {before['pss'] / 2**20:.1f} MiB -> {during['pss'] / 2**20:.1f} MiB "
          f"({during['processes']} processes): {res['pss_per_connection'] / 1024:.1f} KiB/conn PSS, "
          f"{res['anon_per_connection'] / 1024:.1f} KiB/conn anonymous, "
          f"{res['rss_per_connection'] / 1024:.1f} KiB/conn RSS", flush=True)
    return res


# ---------------------------------------------------------------- report

def fmt_time(s):
    return "unsupported" if s is None else (f"{s * 1000:.1f} ms" if s < 10 else f"{s:.2f} s")


def fmt_bytes(b):
    return f"{b / 2**20:.1f} MiB" if b >= 2**20 else f"{b / 1024:.1f} KiB"


def markdown(report):
    n = report["messages"]
    med = report["median_seconds"]
    mem = report["memory"]
    rows = []

    failures = report.get("failures", {})

    def cell(server, value, fmt, op):
        if value is not None:
            return fmt(value)
        if server not in report["versions"]:
            return "not run"
        why = failures.get(server, {}).get(op, "")
        return "wrong answer" if why.startswith("wrong") else "unsupported"

    def row(label, p, d, fmt, op=None):
        ratio = f"{p / d:.2f}" if p is not None and d not in (None, 0) else "–"
        rows.append(f"| {label} | {cell('postern', p, fmt, op)} | {cell('dovecot', d, fmt, op)} | {ratio} |")

    labels = {"select": "SELECT INBOX (new connection)", "noop": "NOOP (poll for changes; none)",
              "fetch_flags": "UID FETCH 1:* (FLAGS)",
              "search_text": f'SEARCH TEXT "{report["rare_word"]}" (~1 % hits)',
              "search_subject": f'UID SEARCH SUBJECT "{report["subject_word"]}" (~2 % hits)',
              "fetch_body_100": "FETCH 1:100 (BODY.PEEK[])"}
    for op, label in labels.items():
        row(label, med.get("postern", {}).get(op), med.get("dovecot", {}).get(op), fmt_time, op)
    cpu = report.get("median_cpu_seconds", {})
    for op, label in labels.items():
        row(f"… server CPU for {label.split(' (')[0]}", cpu.get("postern", {}).get(op),
            cpu.get("dovecot", {}).get(op), fmt_time, op)
    mixed = report.get("mixed", {})
    if mixed:
        pm, dm = mixed.get("postern"), mixed.get("dovecot")
        k = (pm or dm)["clients"]
        rate = (pm or dm)["inject_rate"]
        prow = lambda m, key: m[key] if m else None  # noqa: E731
        row(f"mixed workload, {k} clients, new mail {rate:.0f}/s: commands/s (higher is better)",
            prow(pm, "ops_per_second"), prow(dm, "ops_per_second"), lambda v: f"{v:.0f}/s")
        row("… latency p50, all commands", prow(pm, "p50"), prow(dm, "p50"), fmt_time)
        row("… latency p99, all commands", prow(pm, "p99"), prow(dm, "p99"), fmt_time)
        for op in ("SELECT", "FETCH new headers", "UID EXPUNGE"):
            pp = pm["per_op"].get(op, {}).get("p99") if pm else None
            dp = dm["per_op"].get(op, {}).get("p99") if dm else None
            row(f"… latency p99, {op}", pp, dp, fmt_time)
    first = report.get("first_select_seconds", {})
    row("first SELECT after loading (Dovecot indexes)", first.get("postern"), first.get("dovecot"), fmt_time)

    def memrow(label, key, field="pss_per_connection"):
        p = mem.get("postern", {}).get(key, {}).get(field)
        d = mem.get("dovecot", {}).get(key, {}).get(field)
        row(label, p, d, fmt_bytes)

    small, big = report["idle_connections"], report["big_idle_connections"]
    p_idle = mem.get("postern", {}).get("small", {}).get("idle", {}).get("pss")
    d_idle = mem.get("dovecot", {}).get("small", {}).get("idle", {}).get("pss")
    row("server memory, just started, no connection (PSS)", p_idle, d_idle, fmt_bytes)
    p_rss = mem.get("postern", {}).get("small", {}).get("idle", {}).get("rss")
    d_rss = mem.get("dovecot", {}).get("small", {}).get("idle", {}).get("rss")
    row("server memory, just started, no connection (RSS, all processes)", p_rss, d_rss, fmt_bytes)
    p_anon = mem.get("postern", {}).get("small", {}).get("idle", {}).get("anon")
    d_anon = mem.get("dovecot", {}).get("small", {}).get("idle", {}).get("anon")
    row("… of which private (anonymous), not mapped files", p_anon, d_anon, fmt_bytes)
    memrow(f"memory per IDLE connection, {small:,} on a {SMALL_MESSAGES}-message mailbox (PSS)", "small")
    memrow(f"memory per IDLE connection, {big:,} on the {n:,}-message INBOX (PSS)", "big")
    memrow("… the same, anonymous memory only (no mapped files)", "big", "anon_per_connection")
    dh = mem.get("dovecot_hibernate", {}).get("small", {}).get("pss_per_connection")
    ph = mem.get("postern", {}).get("small", {}).get("pss_per_connection")
    if dh is not None:
        hib = report.get("hibernate_connections", small)
        row(f"… {hib:,} connections, Dovecot with IDLE hibernation (Postern: the {small:,} above)", ph, dh, fmt_bytes)
    memrow(f"memory per IDLE connection, {small:,} on a {SMALL_MESSAGES}-message mailbox (RSS sum)", "small",
           "rss_per_connection")

    out = [f"## IMAP: {n:,}-message mailbox, Postern vs Dovecot ({report['date']})", "",
           f"{report['versions'].get('postern', '')}; {report['versions'].get('dovecot', 'Dovecot not run')}; "
           f"{report['machine']['cpus']} CPUs, Linux {report['machine']['kernel']}. "
           f"Median of {report['rounds']} rounds ({report['text_rounds']} for SEARCH TEXT), alternating servers; times from command sent to tagged "
           f"answer received; server CPU = CPU time of all the server's threads and processes during the command "
           f"(robust to other load; load average at start {report['machine']['loadavg_at_start'][0]:.1f}); ratio = Postern / Dovecot (below 1: Postern better). "
           f"Memory is the whole server's PSS (Dovecot: master and every child, one imap process per "
           f"connection) with connections logged in, SELECTed and in IDLE, minus the same server just "
           f"restarted with none, divided by the connections. "
           "What is measured and how: bench/imap_bench.py.", "",
           "| workload | Postern | Dovecot | ratio |", "|---|---|---|---|", *rows, ""]
    if report.get("notes"):
        out += ["Notes:", ""] + [f"- {x}" for x in report["notes"]] + [""]
    return "\n".join(out)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--text-rounds", type=int, default=1, help="rounds that include SEARCH TEXT")
    ap.add_argument("--idle-connections", type=int, default=5000)
    ap.add_argument("--big-idle-connections", type=int, default=200)
    ap.add_argument("--mixed-clients", type=int, default=50)
    ap.add_argument("--mixed-seconds", type=float, default=15)
    ap.add_argument("--inject-rate", type=float, default=20, help="new messages/s during the mixed workload")
    ap.add_argument("--quick", action="store_true",
                    help="10,000 messages, 200 IDLE connections, 2 rounds, 4 s of mixed workload, "
                         "no hibernation variant")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--no-hibernate", action="store_true", help="skip Dovecot's hibernation variant")
    ap.add_argument("--hibernate-connections", type=int, default=2000,
                    help="IDLE connections for Dovecot's hibernation variant (at most --idle-connections)")
    args = ap.parse_args()
    if args.quick:
        args.messages, args.rounds, args.idle_connections, args.big_idle_connections = 10_000, 2, 200, 50
        args.text_rounds, args.mixed_seconds, args.no_hibernate = 1, 4, True
    args.text_rounds = min(args.text_rounds, args.rounds)
    started = time.time()
    # Our 5,000 sockets; the servers inherit the limit (Dovecot's master
    # passes it on). Root may raise the hard limit too.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (65536, 65536))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < args.idle_connections + 200:
        sys.exit(f"RLIMIT_NOFILE too low for {args.idle_connections} connections")
    if not POSTERN.exists():
        sys.exit(f"{POSTERN} missing: run bench/run (or make bench)")

    t = time.perf_counter()
    corpus_dir = imap_corpus.corpus(CACHE, args.messages)
    manifest = json.loads((corpus_dir / "manifest.json").read_text())
    files = [m[0] for m in manifest["messages"]]
    dates = [m[1] for m in manifest["messages"]]
    print(f"corpus: {args.messages} messages in {corpus_dir} ({time.perf_counter() - t:.1f}s)", flush=True)

    base = pathlib.Path(tempfile.mkdtemp(prefix="postern-imapbench-"))
    os.chmod(base, 0o755)  # Dovecot's unprivileged users must reach their folders
    postern = Postern(base)
    servers = [postern]
    dovecot = None
    if not args.no_peer:
        if Dovecot.available():
            dovecot = Dovecot(base, args.idle_connections)
            servers.append(dovecot)
        else:
            print("dovecot not installed (scripts/install-deps --bench): Postern only", file=sys.stderr)
    notes = []
    failures = {}
    report = {"benchmark": "imap", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                          "loadavg_at_start": os.getloadavg()},
              "versions": {s.name: s.version() for s in servers},
              "messages": args.messages, "rounds": args.rounds, "text_rounds": args.text_rounds, "idle_connections": args.idle_connections,
              "big_idle_connections": args.big_idle_connections, "rare_word": manifest["rare_word"],
              "subject_word": manifest["subject_word"]}
    inotify = pathlib.Path("/proc/sys/fs/inotify/max_user_instances")
    inotify_before = inotify.read_text().strip() if inotify.exists() else None
    try:
        # Load: Postern through APPEND, then Dovecot with the same UIDs.
        postern.setup()
        postern.start()
        small = list(range(SMALL_MESSAGES))
        uids, rate = postern.load(corpus_dir, files, dates, postern.user)
        small_uids, _ = postern.load(corpus_dir, [files[i] for i in small], [dates[i] for i in small],
                                     postern.idle_user)
        report["postern_append_rate"] = rate
        print(f"postern: APPENDed {len(uids)} messages, {rate:.0f}/s (durable, 16 connections)", flush=True)
        if dovecot:
            dovecot.setup()
            secs = dovecot.load(corpus_dir, files, uids, dovecot.user)
            dovecot.load(corpus_dir, [files[i] for i in small], small_uids, dovecot.idle_user)
            print(f"dovecot: Maildir of {len(uids)} hard links in {secs:.1f}s", flush=True)
            dovecot.start()
        work = Workload(args.messages, manifest, uids)

        # First SELECT after loading, then one untimed warm-up round.
        report["first_select_seconds"] = {}
        digests = {}
        for s in servers:
            c = Client(s.port)
            c.ok(f"LOGIN {quote(s.user)} {quote(s.password)}")
            out, dt = c.ok("SELECT INBOX")
            c.close()
            work.check_select(out)
            report["first_select_seconds"][s.name] = dt
            times, _, notes_s, digests[s.name] = one_round(s, work)
            print(f"warm-up {s.name:8s} first SELECT {dt * 1000:.0f} ms; "
                  + " ".join(f"{k}={fmt_time(v)}" for k, v in times.items()), flush=True)
            for op, why in notes_s.items():
                failures.setdefault(s.name, {})[op] = why
                notes.append(f"{s.name}: `{dict((o, c) for o, c, _ in work.ops())[op]}`: {why}")
        if len(set(d for d in digests.values() if d)) > 1:
            raise ImapError(f"FETCH 1:100 BODY[] differs between servers: {digests}")

        samples = {s.name: {} for s in servers}
        cpu_samples = {s.name: {} for s in servers}
        for r in range(args.rounds):
            order = servers if r % 2 == 0 else list(reversed(servers))
            for s in order:
                # SEARCH TEXT reads every message: fewer rounds of it.
                skip = ("search_text",) if r >= args.text_rounds else ()
                times, cpu, notes_s, _ = one_round(s, work, skip)
                for op, why in notes_s.items():
                    failures.setdefault(s.name, {}).setdefault(op, why)
                for op, v in times.items():
                    samples[s.name].setdefault(op, []).append(v)
                    cpu_samples[s.name].setdefault(op, []).append(cpu[op])
                print(f"round {r + 1} {s.name:8s} " + " ".join(f"{k}={fmt_time(v)}" for k, v in times.items()),
                      flush=True)
        report["samples_seconds"] = samples
        report["samples_cpu_seconds"] = cpu_samples
        report["median_cpu_seconds"] = {
            name: {op: (None if any(v is None for v in vs) else statistics.median(vs)) for op, vs in ops.items()}
            for name, ops in cpu_samples.items()}
        report["median_seconds"] = {
            name: {op: (None if any(v is None for v in vs) else statistics.median(vs)) for op, vs in ops.items()}
            for name, ops in samples.items()}

        # Mixed client workload on the big INBOX, each server from the same start.
        inject = [crlf((corpus_dir / "cur" / f).read_bytes()) for f in files[:200]]
        report["mixed"] = {}
        for s in servers:
            m = imap_mixed.run(s.port, s.user, s.password, max(uids), inject, clients=args.mixed_clients,
                               seconds=args.mixed_seconds, inject_rate=args.inject_rate,
                               grace=3 if args.quick else 8)
            report["mixed"][s.name] = m
            print(f"mixed {s.name:8s} {m['ops_per_second']:.0f} commands/s, {m['sessions']} sessions, "
                  f"p50 {m['p50'] * 1000:.1f} ms, p99 {m['p99'] * 1000:.1f} ms, injected {m['injected']}, "
                  f"expunged {m['expunged']}, FETCH NO [EXPUNGEISSUED] {m['fetch_no_expungeissued']}, errors {m['errors']} {m['first_error'] or ''}", flush=True)
            if m["fetch_no_expungeissued"]:
                notes.append(f"{s.name} mixed workload: {m['fetch_no_expungeissued']} of {m['sessions']} UID FETCHes of "
                             "new mail answered NO [EXPUNGEISSUED] (another session had expunged some; RFC 2180 "
                             "4.1.1 allows it; the client goes on like a real one)")
            if m["errors"]:
                notes.append(f"{s.name} mixed workload: {m['errors']} failed sessions (first: {m['first_error']})")

        # Memory: idle, then connections in IDLE (small mailbox, big INBOX).
        print("memory:", flush=True)
        mem = {}
        for s in servers:
            mem[s.name] = {"small": idle_memory(s, s.idle_user, args.idle_connections, settle=3)}
            mem[s.name]["big"] = idle_memory(s, s.user, args.big_idle_connections, settle=3)
        hib = min(args.hibernate_connections, args.idle_connections)
        report["hibernate_connections"] = hib
        if dovecot and not args.no_hibernate:
            # Hibernation moves an IDLE session out of its imap process
            # after imap_hibernate_timeout; each imap process needs an
            # inotify instance to notice the 5 s IDLE first.
            if inotify_before is not None:
                inotify.write_text(str(max(int(inotify_before), args.idle_connections + 512)))
            dovecot.stop()
            dovecot.hibernate = "5s"
            dovecot.write_config()
            dovecot.start()
            mem["dovecot_hibernate"] = {"small": idle_memory(dovecot, dovecot.idle_user, hib, settle=10)}
        report["memory"] = mem
    finally:
        for s in servers:
            s.stop()
        if inotify_before is not None and inotify.read_text().strip() != inotify_before:
            inotify.write_text(inotify_before)

    for name, m in report["memory"].items():
        for key, v in m.items():
            if v["error_count"] or v["alive_at_measure"] != v["connections"]:
                notes.append(f"{name} {key}: {v['alive_at_measure']} of {v['connections']} connections alive "
                             f"when measured, {v['error_count']} errors (first: {v['errors'][:1]})")
    report["notes"] = notes
    report["failures"] = failures
    report["seconds"] = round(time.time() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "imap.json").write_text(json.dumps(report, indent=2) + "\n")
    md = markdown(report)
    (RESULTS / "imap.md").write_text(md)
    print("\n" + md)
    print(f"IMAP bench: {report['seconds']:.0f} s in all")
    peers.discard(base)
    peers.empty_trash()


if __name__ == "__main__":
    main()
