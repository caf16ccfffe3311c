#!/usr/bin/env python3
"""Soak driver: mixed SMTP traffic against a running Postlet for a fixed time, with memory samples.

Started by bench/soak.sh, which starts the server; usable alone against any server with the same
users and listeners. Every message carries a unique token (in Subject and Message-ID); at the end
every message the server acknowledged with 250 must be in its recipients' Maildirs exactly once,
and every message whose client vanished mid-DATA must be nowhere.

Standard library only (smtplib, ssl, socket, threading).
"""
import argparse
import collections
import json
import os
import random
import re
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

RECIPIENTS = ["alice@example.test", "bob@example.test"]
USERS = {"alice@example.test": "alice", "bob@example.test": "bob"}


class Ledger:
    """What happened to every token: accepted (250), refused (4xx/5xx), abandoned (we hung up), unknown."""

    def __init__(self):
        self.lock = threading.Lock()
        self.outcomes = {}            # token -> (outcome, recipients, detail)
        self.counts = collections.Counter()

    def record(self, token, outcome, recipients, detail="", scenario=""):
        with self.lock:
            self.outcomes[token] = (outcome, tuple(recipients), detail)
            self.counts[outcome] += 1
            self.counts[scenario + ":" + outcome] += 1

    def snapshot(self):
        with self.lock:
            return collections.Counter(self.counts)


def message(token, size, sender="soak@example.org", to=("alice@example.test",)):
    head = ("From: <%s>\r\nTo: %s\r\nSubject: soak %s\r\nMessage-ID: <%s@soak.example>\r\n"
            "Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            % (sender, ", ".join("<%s>" % t for t in to), token, token,
               time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())))
    line = ("%s the quick brown fox jumps over the lazy dog 0123456789\r\n" % token)
    body = []
    n = len(head)
    while n < size:
        body.append(line)
        n += len(line)
    body.append(".leading dot line, dot-stuffed on the wire\r\n")
    return (head + "".join(body)).encode("ascii")


def dot_stuff(data):
    lines = data.split(b"\r\n")
    return b"\r\n".join((b"." + l) if l.startswith(b".") else l for l in lines)


class Raw:
    """A raw SMTP connection, for what smtplib cannot do: pipelining, BDAT, hanging up mid-DATA."""

    def __init__(self, host, port, timeout=60):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        self.reply()  # greeting

    def reply(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("connection closed by the server")
            lines.append(line.decode("ascii", "replace").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                break
        return int(lines[-1][:3]), "\n".join(lines)

    def send(self, data):
        self.sock.sendall(data)

    def ehlo(self, extension=None):
        """EHLO; with an extension, insists the server offers it."""
        self.send(b"EHLO soak.example\r\n")
        code, text = self.reply()
        if extension and extension not in text:
            raise RuntimeError("no %s in EHLO: %s" % (extension, text))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Driver:
    def __init__(self, args, ledger):
        self.args = args
        self.ledger = ledger
        self.seq = 0
        self.seq_lock = threading.Lock()
        self.big_lock = threading.Lock()
        self.next_big = 0.0
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE

    def token(self):
        with self.seq_lock:
            self.seq += 1
            return "%s-%06d" % (self.args.run_id, self.seq)

    def size(self, rnd):
        """Mostly small; a big one (1-5 MB) at most every big_interval seconds over all clients."""
        with self.big_lock:
            now = time.time()
            if now >= self.next_big and rnd.random() < 0.5:
                self.next_big = now + self.args.big_interval
                with self.ledger.lock:
                    self.ledger.counts["big (1-5 MB) messages sent"] += 1
                return rnd.randint(1_000_000, 5_000_000)
        return rnd.choice([600, 2_000, 8_000, 40_000, 150_000])

    # --- scenarios -------------------------------------------------------------------------

    def plain_smtplib(self, rnd):
        """MX, no TLS, one or two recipients, smtplib (sends DATA)."""
        to = rnd.sample(RECIPIENTS, rnd.choice([1, 1, 2]))
        t = self.token()
        data = message(t, self.size(rnd), to=to)
        self._smtplib(t, to, data, self.args.mx_port, starttls=False, login=None, scenario="mx-data")

    def submission(self, rnd):
        """Submission: STARTTLS then AUTH PLAIN/LOGIN, as a mail client does."""
        user = rnd.choice(RECIPIENTS)
        to = [rnd.choice(RECIPIENTS)]
        t = self.token()
        data = message(t, self.size(rnd), sender=user, to=to)
        self._smtplib(t, to, data, self.args.submission_port, starttls=True, login=(user, USERS[user]),
                      scenario="submission-tls-auth")

    def _smtplib(self, t, to, data, port, starttls, login, scenario):
        try:
            with smtplib.SMTP(self.args.host, port, timeout=120) as s:
                s.ehlo("soak.example")
                if starttls:
                    s.starttls(context=self.tls)
                    s.ehlo("soak.example")
                if login:
                    s.login(*login)
                refused = s.sendmail("soak@example.org" if not login else login[0], to, data)
                if refused:
                    self.ledger.record(t, "unknown", to, "some recipients refused: %r" % refused, scenario)
                else:
                    self.ledger.record(t, "accepted", to, "", scenario)
        except smtplib.SMTPResponseException as e:
            self.ledger.record(t, "refused", to, "%d %s" % (e.smtp_code, e.smtp_error[:80]), scenario)
        except smtplib.SMTPRecipientsRefused as e:
            self.ledger.record(t, "refused", to, "recipients refused %r" % e.recipients, scenario)
        except (OSError, smtplib.SMTPException) as e:
            # The connection broke: the 250 may or may not have been sent.
            self.ledger.record(t, "unknown", to, repr(e)[:120], scenario)

    def _raw(self, scenario, t, to, conversation, broken="unknown", timeout=60):
        """Runs conversation(connection) -> (outcome, detail) on a raw connection to the MX listener
        and records it; a broken connection is recorded as `broken`."""
        c = None
        try:
            c = Raw(self.args.host, self.args.mx_port, timeout=timeout)
            outcome, detail = conversation(c)
            self.ledger.record(t, outcome, to, detail, scenario)
            if outcome != "abandoned":
                c.send(b"QUIT\r\n")
        except (OSError, ConnectionError) as e:
            self.ledger.record(t, broken, to, repr(e)[:120], scenario)
        finally:
            if c:
                c.close()

    @staticmethod
    def _ended(code, text):
        return ("accepted" if code == 250 else "refused"), text[:80]

    def pipelined(self, rnd):
        """MAIL, RCPT, DATA in one write (PIPELINING), then the message."""
        to = [rnd.choice(RECIPIENTS)]
        t = self.token()
        data = message(t, self.size(rnd), to=to)

        def conversation(c):
            c.ehlo("PIPELINING")
            c.send(("MAIL FROM:<soak@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n" % to[0]).encode("ascii"))
            replies = [c.reply(), c.reply(), c.reply()]
            if [r[0] for r in replies] != [250, 250, 354]:
                return "refused", str(replies)[:120]
            c.send(dot_stuff(data) + b"\r\n.\r\n")
            return self._ended(*c.reply())
        self._raw("mx-pipelining", t, to, conversation)

    def bdat(self, rnd):
        """CHUNKING: the message in several BDAT chunks, the last one with LAST."""
        to = [rnd.choice(RECIPIENTS)]
        t = self.token()
        data = message(t, self.size(rnd), to=to)

        def conversation(c):
            c.ehlo("CHUNKING")
            c.send(("MAIL FROM:<soak@example.org>\r\nRCPT TO:<%s>\r\n" % to[0]).encode("ascii"))
            replies = [c.reply(), c.reply()]
            if [r[0] for r in replies] != [250, 250]:
                return "refused", str(replies)[:120]
            chunk = max(1, len(data) // rnd.randint(1, 5))
            pos = 0
            while True:
                part = data[pos:pos + chunk]
                pos += len(part)
                last = pos >= len(data)
                c.send(("BDAT %d%s\r\n" % (len(part), " LAST" if last else "")).encode("ascii") + part)
                code, text = c.reply()
                if last or code != 250:
                    return self._ended(code, text) if last else ("refused", text[:80])
        self._raw("mx-bdat", t, to, conversation)

    def vanish(self, rnd):
        """A client that hangs up in the middle of DATA: never acknowledged, must never be delivered."""
        to = [rnd.choice(RECIPIENTS)]
        t = self.token()
        data = dot_stuff(message(t, self.size(rnd), to=to))

        def conversation(c):
            c.ehlo()
            c.send(("MAIL FROM:<soak@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n" % to[0]).encode("ascii"))
            if [c.reply()[0] for _ in range(3)] != [250, 250, 354]:
                return "refused", ""
            c.send(data[: rnd.randint(1, len(data) - 1)])
            if rnd.random() < 0.5:
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
            return "abandoned", ""
        self._raw("vanish-mid-data", t, to, conversation, broken="abandoned")

    def slow(self, rnd):
        """A slow client: the message trickles in, a line every 0.2-1 s for 5-20 s."""
        to = [rnd.choice(RECIPIENTS)]
        t = self.token()
        data = dot_stuff(message(t, 3_000, to=to))

        def conversation(c):
            time.sleep(rnd.uniform(0.5, 2))
            c.ehlo()
            for cmd in ("MAIL FROM:<soak@example.org>", "RCPT TO:<%s>" % to[0], "DATA"):
                time.sleep(rnd.uniform(0.2, 1))
                c.send(cmd.encode("ascii") + b"\r\n")
                code, text = c.reply()
                if code not in (250, 354):
                    return "refused", text[:80]
            lines = data.split(b"\r\n")
            per_line = rnd.uniform(5, 20) / max(1, len(lines))
            for line in lines:
                c.send(line + b"\r\n")
                time.sleep(per_line)
            c.send(b".\r\n")
            return self._ended(*c.reply())
        self._raw("slow-client", t, to, conversation, timeout=120)

    SCENARIOS = [("plain_smtplib", 30), ("submission", 20), ("pipelined", 20), ("bdat", 15), ("vanish", 8), ("slow", 7)]

    def client(self, number, stop_at):
        rnd = random.Random(self.args.seed * 1000 + number)
        names = [n for n, w in self.SCENARIOS for _ in range(w)]
        while time.time() < stop_at:
            name = rnd.choice(names)
            try:
                getattr(self, name)(rnd)
            except Exception as e:  # a bug in the driver must not end the soak silently
                print("client %d: %s failed: %r" % (number, name, e), file=sys.stderr, flush=True)
            time.sleep(rnd.uniform(0, self.args.pause))


# --- sampling ----------------------------------------------------------------------------------

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def heap_used_kb(pid, gc_first=False):
    if gc_first:
        subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"total (\d+)K, used (\d+)K", out)
    return (int(m.group(2)), int(m.group(1))) if m else (-1, -1)


def open_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


def threads(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


def health(url):
    if not url:
        return "-"
    started = time.time()
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return "%d/%dms" % (r.status, (time.time() - started) * 1000)
    except Exception as e:  # 503 or no answer: worth seeing in the table
        return "ERR(%s)/%dms" % (type(e).__name__, (time.time() - started) * 1000)


def sampler(args, ledger, stop_at, samples, stop_event):
    start = time.time()
    n = 0
    while True:
        live = n % max(1, args.live_every) == 0  # a forced GC now and then: the live set, for the leak verdict
        used, total = heap_used_kb(args.pid, gc_first=live)
        c = ledger.snapshot()
        row = {"t": int(time.time() - start), "rss_mb": rss_kb(args.pid) // 1024, "heap_used_mb": used // 1024,
               "heap_committed_mb": total // 1024, "after_gc": live, "fds": open_fds(args.pid),
               "threads": threads(args.pid), "accepted": c["accepted"], "refused": c["refused"],
               "unknown": c["unknown"], "abandoned": c["abandoned"], "health": health(args.health_url)}
        samples.append(row)
        print("sample " + json.dumps(row), flush=True)
        n += 1
        if stop_event.wait(args.sample_every) or time.time() >= stop_at + args.sample_every:
            return


# --- verification ------------------------------------------------------------------------------

TOKEN = re.compile(rb"^Message-ID: <([^@>]+)@soak\.example>", re.M | re.I)


def delivered(maildir_root):
    """token -> Counter(recipient -> copies), from the Message-ID of every file in new/ and cur/."""
    found = collections.defaultdict(collections.Counter)
    for user in RECIPIENTS:
        local, domain = user.split("@")
        for sub in ("new", "cur"):
            d = os.path.join(maildir_root, domain, local, sub)
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                with open(os.path.join(d, name), "rb") as f:
                    head = f.read(4096)
                m = TOKEN.search(head)
                if m:
                    found[m.group(1).decode("ascii")][user] += 1
    return found


def wait_for_empty_spool(spool, timeout):
    queue = os.path.join(spool, "queue")
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not os.listdir(queue):
            return True
        time.sleep(1)
    return False


def verify(args, ledger):
    drained = wait_for_empty_spool(args.spool, 300)
    found = delivered(args.maildir)
    problems = []
    for token, (outcome, to, detail) in ledger.outcomes.items():
        copies = found.get(token, collections.Counter())
        if outcome == "accepted":
            for r in to:
                if copies[r] != 1:
                    problems.append("%s: acknowledged with 250 for %s, found %d time(s)" % (token, r, copies[r]))
        elif outcome in ("abandoned", "refused"):
            if sum(copies.values()):
                problems.append("%s: %s (%s) but delivered %s" % (token, outcome, detail, dict(copies)))
        elif outcome == "unknown":
            for r in to:
                if copies[r] > 1:
                    problems.append("%s: outcome unknown, delivered %d times to %s" % (token, copies[r], r))
    strays = [t for t in found if t not in ledger.outcomes and t.startswith(args.run_id)]
    for t in strays:
        problems.append("%s: delivered but never sent by this run" % t)
    return drained, problems


def report(result):
    """A markdown summary: samples every ~2.5 minutes (and every forced-GC one), then the memory verdict."""
    samples = result["samples"]
    lines = ["| t (min) | RSS MB | heap used MB | heap committed MB | after GC | fds | threads | accepted | refused | unknown | abandoned | /health |",
             "|---:|---:|---:|---:|:-:|---:|---:|---:|---:|---:|---:|---|"]
    for i, s in enumerate(samples):
        if i % 5 == 0 or s["after_gc"] or i == len(samples) - 1:
            lines.append("| %.1f | %d | %d | %d | %s | %d | %d | %d | %d | %d | %d | %s |" % (
                s["t"] / 60, s["rss_mb"], s["heap_used_mb"], s["heap_committed_mb"], "yes" if s["after_gc"] else "",
                s["fds"], s["threads"], s["accepted"], s["refused"], s["unknown"], s["abandoned"], s["health"]))
    warm = [s for s in samples if s["t"] >= 300]
    live = [s for s in warm if s["after_gc"]]
    if warm:
        lines.append("")
        lines.append("After warm-up (t >= 5 min): RSS %d-%d MB (first %d, last %d); live heap after a forced GC %s MB; "
                     "open fds %d-%d." % (min(s["rss_mb"] for s in warm), max(s["rss_mb"] for s in warm),
                                          warm[0]["rss_mb"], warm[-1]["rss_mb"],
                                          ", ".join(str(s["heap_used_mb"]) for s in live) or "n/a",
                                          min(s["fds"] for s in warm), max(s["fds"] for s in warm)))
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--mx-port", type=int, required=True)
    p.add_argument("--submission-port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True, help="the server JVM's pid, for RSS and heap samples")
    p.add_argument("--spool", required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--health-url", default="")
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--pause", type=float, default=0.2, help="max pause between a client's messages, seconds")
    p.add_argument("--big-interval", type=float, default=8, help="at most one 1-5 MB message per this many seconds")
    p.add_argument("--sample-every", type=float, default=30)
    p.add_argument("--live-every", type=int, default=10, help="force a GC before every Nth heap sample")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--run-id", default="s%d" % int(time.time()))
    p.add_argument("--out", default="soak-result.json")
    p.add_argument("--report", help="print the summary of an earlier run's result file and exit")
    args = p.parse_args() if "--report" not in sys.argv else None
    if args is None:
        with open(sys.argv[sys.argv.index("--report") + 1]) as f:
            print(report(json.load(f)))
        return 0

    ledger = Ledger()
    driver = Driver(args, ledger)
    stop_at = time.time() + args.minutes * 60
    samples = []
    stop_event = threading.Event()
    sampling = threading.Thread(target=sampler, args=(args, ledger, stop_at, samples, stop_event), daemon=True)
    sampling.start()
    clients = [threading.Thread(target=driver.client, args=(i, stop_at), daemon=True) for i in range(args.clients)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    stop_event.set()
    sampling.join()
    drained, problems = verify(args, ledger)
    counts = ledger.snapshot()
    result = {"minutes": args.minutes, "clients": args.clients, "counts": dict(counts), "samples": samples,
              "spool_drained": drained, "problems": problems[:200], "problem_count": len(problems)}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(report(result))
    print("counts " + json.dumps(dict(sorted(counts.items()))))
    print("spool drained: %s; problems: %d" % (drained, len(problems)))
    for line in problems[:50]:
        print("PROBLEM " + line)
    ok = drained and not problems
    print("VERDICT: %s" % ("every 250-acknowledged message delivered exactly once" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
