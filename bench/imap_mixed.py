"""The mixed IMAP client workload of imap_bench.py: C concurrent clients on
the big INBOX, each one in a loop of short sessions as a mail client that
checks for mail does:

  connect, LOGIN, SELECT INBOX,
  UID FETCH <last seen + 1>:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])
                                        headers of the mail new since its last session
  UID STORE <new> +FLAGS.SILENT (\\Seen)  when there is new mail
  UID STORE <its share> +FLAGS.SILENT (\\Deleted), UID EXPUNGE <its share>
                                        each new message is deleted by exactly one
                                        client (UID modulo C), so none is expunged twice
  LOGOUT

while one more connection APPENDs new mail at a fixed rate (the injected
messages are corpus messages). Every command is timed from sending it to its
tagged answer; the result is commands/s over the run and p50/p99 per command
and over all. Bounded by time and by a session count. Both servers see the
same clients; the answers are checked (tagged OK, FETCH UIDs new)."""
import asyncio
import re
import statistics
import time

HEADERS = "BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)]"
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
FETCH_UID = re.compile(rb"^\* \d+ FETCH \(.*?UID (\d+)")


class Conn:
    def __init__(self, r, w):
        self.r, self.w, self.n, self.no = r, w, 0, False

    async def cmd(self, text, lat, op, allow_no=None):
        """Sends one command; returns the untagged lines (literals inlined).
        Records its latency under `op`; raises on a non-OK answer, but for
        a NO with the response code `allow_no` (the caller handles it)."""
        self.n += 1
        tag = b"m%d" % self.n
        t0 = time.perf_counter()
        self.w.write(tag + b" " + text.encode() + b"\r\n")
        lines = []
        while True:
            line = await self.r.readline()
            if not line:
                raise ConnectionError(f"{op}: connection closed")
            m = LITERAL.search(line)
            while m:  # the literal, and the rest of the line after it
                line += await self.r.readexactly(int(m.group(1)))
                line += await self.r.readline()
                m = LITERAL.search(line)
            if line.startswith(tag + b" "):
                lat.setdefault(op, []).append(time.perf_counter() - t0)
                if allow_no and line.startswith(tag + b" NO [" + allow_no + b"]"):
                    self.no = True
                    return lines
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(f"{op}: {line.decode(errors='replace').strip()}")
                return lines
            lines.append(line)


async def _session(port, user, password, me, clients, state, lat):
    r, w = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
    c = Conn(r, w)
    try:
        await r.readline()
        await c.cmd(f'LOGIN "{user}" "{password}"', lat, "LOGIN")
        await c.cmd("SELECT INBOX", lat, "SELECT")
        # RFC 2180 4.1.1: a server may answer NO [EXPUNGEISSUED] when
        # another session expunged some of them meanwhile (Postern does);
        # like a real client, take what came and pick the rest up next time.
        lines = await c.cmd(f"UID FETCH {state['last'] + 1}:* (UID FLAGS {HEADERS})", lat, "FETCH new headers",
                            allow_no=b"EXPUNGEISSUED")
        if c.no:
            state["expungeissued"] += 1
        # "n:*" also answers the last message when n is past it: keep the new ones.
        new = sorted({int(m.group(1)) for m in map(FETCH_UID.match, lines) if m} - {0})
        new = [u for u in new if u > state["last"]]
        if new:
            state["fetched"] += len(new)
            await c.cmd(f"UID STORE {','.join(map(str, new))} +FLAGS.SILENT (\\Seen)", lat, "STORE \\Seen")
            mine = [u for u in new if u % clients == me]
            if mine:
                s = ",".join(map(str, mine))
                await c.cmd(f"UID STORE {s} +FLAGS.SILENT (\\Deleted)", lat, "STORE \\Deleted")
                await c.cmd(f"UID EXPUNGE {s}", lat, "UID EXPUNGE")
                state["expunged"] += len(mine)
            state["last"] = new[-1]
        await c.cmd("LOGOUT", lat, "LOGOUT")
    finally:
        w.close()


async def _injector(port, user, password, messages, rate, deadline, lat, stats):
    r, w = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
    c = Conn(r, w)
    await r.readline()
    await c.cmd(f'LOGIN "{user}" "{password}"', {}, "LOGIN")
    i, t0 = 0, time.perf_counter()
    while time.time() < deadline:
        due = t0 + i / rate
        now = time.perf_counter()
        if due > now:
            await asyncio.sleep(due - now)
        data = messages[i % len(messages)]
        c.n += 1
        tag = b"i%d" % c.n
        t1 = time.perf_counter()
        w.write(tag + b" APPEND INBOX {%d+}\r\n" % len(data) + data + b"\r\n")
        while True:
            line = await r.readline()
            if not line:
                raise ConnectionError("injector: connection closed")
            if line.startswith(tag + b" "):
                break
        if not line.startswith(tag + b" OK"):
            raise RuntimeError(f"APPEND: {line!r}")
        lat.setdefault("APPEND (injected)", []).append(time.perf_counter() - t1)
        stats["injected"] += 1
        i += 1
    w.write(b"z LOGOUT\r\n")
    w.close()


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))] if v else None


def run(port, user, password, first_uid, messages, clients=50, seconds=20, inject_rate=20, max_sessions=100000,
        grace=15):
    """Runs the workload; returns its figures. `first_uid`: the highest UID
    in the mailbox before (clients look for mail above it)."""
    async def main():
        lat, stats = {}, {"injected": 0, "sessions": 0, "errors": 0, "first_error": None}
        deadline = time.time() + seconds
        t0 = time.perf_counter()

        async def client(me):
            state = {"last": first_uid, "fetched": 0, "expunged": 0, "expungeissued": 0}
            while time.time() < deadline and stats["sessions"] < max_sessions:
                try:
                    # A session still running `grace` seconds after the end is cut (an error).
                    await asyncio.wait_for(_session(port, user, password, me, clients, state, lat),
                                           max(1.0, deadline + grace - time.time()))
                    stats["sessions"] += 1
                except (OSError, RuntimeError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
                    stats["errors"] += 1
                    stats["first_error"] = stats["first_error"] or repr(e)
                    await asyncio.sleep(0.1)
            return state

        inj = asyncio.create_task(_injector(port, user, password, messages, inject_rate, deadline, lat, stats))
        states = await asyncio.gather(*(client(i) for i in range(clients)))
        await inj
        elapsed = time.perf_counter() - t0
        return lat, stats, states, elapsed

    lat, stats, states, elapsed = asyncio.run(main())
    client_ops = {k: v for k, v in lat.items() if not k.startswith("APPEND")}
    everything = [x for v in client_ops.values() for x in v]
    return {
        "clients": clients, "seconds": round(elapsed, 2), "inject_rate": inject_rate,
        "sessions": stats["sessions"], "errors": stats["errors"], "first_error": stats["first_error"],
        "injected": stats["injected"], "expunged": sum(s["expunged"] for s in states),
        "fetch_no_expungeissued": sum(s["expungeissued"] for s in states),
        "ops": len(everything), "ops_per_second": len(everything) / elapsed,
        "sessions_per_second": stats["sessions"] / elapsed,
        "p50": pct(everything, 0.5), "p99": pct(everything, 0.99),
        "per_op": {k: {"count": len(v), "p50": pct(v, 0.5), "p99": pct(v, 0.99), "mean": statistics.mean(v)}
                   for k, v in lat.items()},
    }
