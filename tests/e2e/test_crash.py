#!/usr/bin/env python3
"""A submission that was acknowledged survives a crash at any instant
(DESIGN.md rule 8), for HTTP writes under the pipelined group commit.

Client threads stream writes at `creditref serve` -- event bodies (JSON
Lines, light ones and bulk ones over 16 KiB, each spanning several people),
reports (each 200 is an inquiry and an audit entry) and consent grants --
and record exactly which were answered 200.  The server is killed with
SIGKILL at a random moment, several times over, and restarted on the same
store.  Requests in flight at the kill are "unknown": never counted either
way.  After every crash:

- `creditref audit verify` passes on the crashed store, serve starts on it,
  and `GET /v1/audit/verify` passes on the restarted server;
- `creditref stats` on the crashed store counts at least the acknowledged
  events, consents and inquiries, and at most the ones sent;
- every acknowledged event is stored: sending its body again answers every
  event "unchanged";
- no body is half applied: sending an unknown body again answers all its
  events "unchanged" or all "accepted", never a mix; and each account's own
  report counts exactly the events of the bodies found stored
  (current.events_applied, read from the person's records rather than from
  the index that tells a retry from a new event);
- every acknowledged report left its inquiry (the person's own report) and
  its audit entry (`GET /v1/me/access`, and `creditref audit show` after the
  last stop): at least as many as acknowledged, at most as many as sent;
- every acknowledged consent grant is stored: sending it again answers
  "unchanged".

SIGKILL ends the process, not the machine: the kernel keeps the page cache,
so a write the server made but did not sync survives it.  What this proves
is that nothing is answered before its commit has reached the kernel, that
a commit is whole (a body across people, a report with its inquiry and
audit entry), and that the store and the audit trail recover from a kill at
any point of the pipeline.  Answering after the write but before the sync
passes here; only a power cut tells the two apart.

What a round checks costs the same at the thousandth crash as at the
first: bodies of earlier rounds are not all sent again (a sample of
RESEND_SAMPLE of them is), since each account's event count already covers
every body stored before, and the store is built anew every
CREDITREF_CRASH_EPOCH crashes (default 20), after a clean stop and the
whole-store checks of its last round, so that no person's file and no audit
trail grows with the number of trials.

CREDITREF_CRASH_ROUNDS sets the number of crashes (default 4, 3 for a
sanitizer build, found by looking for ASan in the binary),
CREDITREF_CRASH_SEED the random seed (printed, and named by a failure)."""
import datetime
import http.client
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time

from apiserver import ASOF, REAL, Key, Server, issue
from harness import main, run, test

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"


def resident_id(region, birth, seq):
    s = f"{region}{birth:%Y%m%d}{seq:03d}"
    return s + C[sum(int(s[i]) * W[i] for i in range(17)) % 11]


def sanitized(path):
    """Is the binary built with AddressSanitizer (3-5 times slower)?"""
    try:
        with open(path, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


ASAN = sanitized(REAL)
ROUNDS = int(os.environ.get("CREDITREF_CRASH_ROUNDS") or (3 if ASAN else 4))
SEED = int(os.environ.get("CREDITREF_CRASH_SEED") or random.SystemRandom().randrange(1 << 30))
EPOCH = max(1, int(os.environ.get("CREDITREF_CRASH_EPOCH") or 20))
RESEND_SAMPLE = 200            # bodies and consents of earlier rounds sent again after a crash
START_TIMEOUT = 90 if ASAN else 30
TIMEOUT = 60 if ASAN else 20   # one request; the server answers in milliseconds
EVENT_THREADS = 3              # thread 0 sends bulk bodies (over 16 KiB), 1 and 2 light ones
ACCOUNTS_PER_THREAD = 6
REPORT_LENDERS = ("L0001", "L0002")
REPORT_PEOPLE = 12             # per lender
REPORT_QUOTA = 400             # reports per person: a report lists at most 512 inquiries
BASE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
KINDS = ("drawdown", "interest", "fee", "repayment")


class Bureau:
    """The store: institutions, people with accounts and consents, keys."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-crash-")
        self.db = os.path.join(self.dir, "db")
        try:
            self._setup()
        except BaseException:
            self.close()
            raise

    def _setup(self):
        run("init", "--db", self.db)
        lines = [{"type": "institution", "code": c, "name": f"Crash {c}", "kind": k}
                 for c, k in (("B0001", "bank"), ("B0002", "bank"), ("L0001", "consumer_finance"),
                              ("L0002", "platform"))]
        # People whose accounts the event streams write to, one account each.
        self.accounts = []
        self.owner = {}   # event account -> its person
        for t in range(EVENT_THREADS):
            mine = []
            for a in range(ACCOUNTS_PER_THREAD):
                pid = resident_id("110105", datetime.date(1970 + t, 1 + a, 1), 101 + a)
                acct = f"CRASH-E{t}-{a}"
                lines.append({"type": "consent", "id": pid, "institution": "B0001", "scope": "furnish",
                              "granted": "2025-01-01"})
                lines.append({"type": "account", "institution": "B0001", "account": acct, "id": pid,
                              "name": "甲", "product": "revolving", "opened": "2025-01-01",
                              "credit_limit": 100000000})
                mine.append(acct)
                self.owner[acct] = pid
            self.accounts.append(mine)
        # People the lenders ask reports about: a file, and a query consent.
        self.people = {}
        for li, lender in enumerate(REPORT_LENDERS):
            self.people[lender] = []
            for p in range(REPORT_PEOPLE):
                pid = resident_id("310104", datetime.date(1980 + li, 1 + p % 12, 1 + p), 201 + p)
                lines.append({"type": "consent", "id": pid, "institution": lender, "scope": "query",
                              "purpose": "loan_approval", "granted": "2026-01-01"})
                lines.append({"type": "consent", "id": pid, "institution": "B0002", "scope": "furnish",
                              "granted": "2025-01-01"})
                lines.append({"type": "account", "institution": "B0002", "account": f"CRASH-R{li}-{p}",
                              "id": pid, "name": "乙", "product": "installment", "opened": "2025-06-01",
                              "principal": 1000000, "term_months": 24})
                lines.append({"type": "statement", "institution": "B0002", "account": f"CRASH-R{li}-{p}",
                              "month": "2026-05", "balance": 500000, "due": 50000, "paid": 50000,
                              "overdue": 0, "dpd": 0, "status": "N"})
                self.people[lender].append(pid)
        src = os.path.join(self.dir, "fixture.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            f.write("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines))
        out = run("ingest", "--db", self.db, "--as-of", ASOF, src).stdout
        assert " rejected=0 " in out and " held=0 " in out, out
        self.base = stats(self.db)
        self.furnisher = issue(self.db, "furnisher", institution="B0001")
        self.lenders = {l: issue(self.db, "lender", institution=l) for l in REPORT_LENDERS}
        self.operator = issue(self.db, "operator")
        self.subjects = {}

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def stats(db):
    out = run("stats", "--db", db).stdout
    return dict((k, v) for k, v in (l.split("=", 1) for l in out.split() if "=" in l))


def verify_cli(db, when):
    p = run("audit", "verify", "--db", db, ok=False)
    assert p.returncode == 0 and "chain intact" in p.stdout, \
        f"audit verify {when}: exit {p.returncode}: {p.stdout} {p.stderr}"


class Client:
    """One keep-alive connection; every failure to get a whole answer raises."""

    def __init__(self, port):
        self.port, self.conn = port, None

    def send(self, method, path, key, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {"Authorization": key.header()}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            r = self.conn.getresponse()
            return r.status, r.read()
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Stream:
    """What one client thread sent in one round, with each answer."""

    def __init__(self, kind, t):
        self.kind, self.t = kind, t
        self.sent = []      # dicts with "state": acked, unknown or unexpected


def event_body(bureau, rnd, t, seq, rng):
    k = rng.randint(120, 200) if t == 0 else rng.randint(2, 8)
    lines, per = [], {}
    for i in range(k):
        at = BASE + datetime.timedelta(seconds=(seq * 211 + i * 7 + t) % 15_000_000)
        acct = rng.choice(bureau.accounts[t])
        per[acct] = per.get(acct, 0) + 1
        lines.append(json.dumps({"type": "event", "institution": "B0001", "account": acct,
                                 "event_id": f"r{rnd}-t{t}-{seq}-{i}", "at": at.isoformat(),
                                 "kind": rng.choice(KINDS), "amount": rng.randint(1, 999)},
                                separators=(",", ":")))
    return k, ("\n".join(lines) + "\n").encode(), per


def consent_body(rnd, n):
    """A query consent from a person of their own (nobody else's facts pile up)."""
    pid = resident_id("440305", datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 800),
                      100 + n % 800)
    return json.dumps({"type": "consent", "id": pid, "institution": "L0001", "scope": "query",
                       "purpose": "guarantee", "granted": "2026-06-01",
                       "evidence": f"sha256:crash-{rnd}-{n}"}).encode()


class Ledger:
    """Everything sent over all rounds, and the report counters per person."""

    def __init__(self, bureau):
        self.people = bureau.people
        self.bodies = []          # event bodies known stored (answered 200 at least once)
        self.consents = []        # consent grants known stored
        self.reports = {}         # (lender, pid) -> [acked, sent]
        self.next_person = {l: 0 for l in REPORT_LENDERS}
        self.consent_n = 0
        self.self_reports = [0, 0]  # the checks' own self reports: acked, sent

    def person(self, lender):
        """The person the lender asks about now; None once every quota is used."""
        while self.next_person[lender] < REPORT_PEOPLE:
            pid = self.people[lender][self.next_person[lender]]
            c = self.reports.setdefault((lender, pid), [0, 0])
            if c[1] < REPORT_QUOTA:
                return pid, c
            self.next_person[lender] += 1
        return None, None


def stream(bureau, ledger, port, kind, t, rnd, stop, out, rng):
    client = Client(port)
    seq = 0
    while not stop.is_set():
        seq += 1
        rec = {"state": "unknown"}
        if kind == "events":
            rec["k"], rec["body"], rec["per"] = event_body(bureau, rnd, t, seq, rng)
            args = ("POST", "/v1/events", bureau.furnisher, rec["body"])
        elif kind == "report":
            lender = REPORT_LENDERS[t]
            pid, counter = ledger.person(lender)
            if pid is None:
                stop.wait(0.05)
                continue
            counter[1] += 1   # this thread alone writes this lender's counters
            rec["counter"] = counter
            args = ("POST", "/v1/reports", bureau.lenders[lender],
                    json.dumps({"id": pid, "purpose": "loan_approval"}).encode())
        else:
            ledger.consent_n += 1  # one consent thread
            rec["body"] = consent_body(rnd, ledger.consent_n)
            args = ("POST", "/v1/consents", bureau.lenders["L0001"], rec["body"])
        out.sent.append(rec)
        try:
            status, data = client.send(*args)
        except (OSError, http.client.HTTPException):
            stop.wait(0.01)  # in flight at the kill, or sent after it: unknown
            continue
        try:
            answer = json.loads(data)
        except ValueError:
            answer = None
        if status != 200:
            rec.update(state="unexpected", why=f"{status} {data[:300]!r}")
        elif kind == "events" and (not isinstance(answer, dict) or answer.get("submitted") != rec["k"]
                                   or answer.get("accepted") != rec["k"]):
            rec.update(state="unexpected", why=f"first answer to a new body: {data[:300]!r}")
        elif kind == "report" and not (isinstance(answer, dict) and "report" in answer):
            rec.update(state="unexpected", why=f"report answer: {data[:300]!r}")
        elif kind == "consent" and answer != {"outcome": "recorded", "released": 0}:
            rec.update(state="unexpected", why=f"consent answer: {data[:300]!r}")
        else:
            rec["state"] = "acked"
            if kind == "report":
                rec["counter"][0] += 1
    client.close()


def resend(port, key, path, items, check, threads=4):
    """Sends every item's body again from a few connections; returns what
    check(item, status, answer) found wrong, one message per item."""
    problems, errors = [], []

    def worker(part):
        client = Client(port)
        try:
            for it in part:
                status, data = client.send("POST", path, key, it["body"])
                try:
                    answer = json.loads(data)
                except ValueError:
                    answer = data[:300]
                p = check(it, status, answer)
                if p:
                    problems.append(p)
        except BaseException as e:  # noqa: BLE001 - raised by the main thread
            errors.append(e)
        finally:
            client.close()

    ts = [threading.Thread(target=worker, args=(items[i::threads],)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=300)
        assert not t.is_alive(), "a re-send thread did not finish within 300 s"
    if errors:
        raise errors[0]
    return problems


def check_events(it, status, a):
    """A body sent again: all its events unchanged (it was stored), or all
    accepted (it never was); only an unknown body may be the second."""
    k = it["k"]
    if status != 200 or not isinstance(a, dict):
        return f"re-sending a body of {k} events: {status} {a!r}"
    if a["submitted"] != k or a["rejected"] or a["held"] or a["unchanged"] + a["accepted"] != k:
        return f"re-sending a body of {k} events: {a}"
    it["was_stored"] = a["unchanged"] == k
    if 0 < a["unchanged"] < k:
        return (f"a body of {k} events ({it['state']}) half applied: {a['unchanged']} stored, "
                f"{a['accepted']} missing")
    if a["accepted"] and (it["state"] == "acked" or it.get("stored")):
        return f"an acknowledged body of {k} events was lost whole"
    return None


def check_consent(it, status, a):
    if status != 200 or not isinstance(a, dict):
        return f"re-sending a consent grant: {status} {a!r}"
    if a.get("outcome") == "recorded" and (it["state"] == "acked" or it.get("stored")):
        return "an acknowledged consent grant was lost"
    if a.get("outcome") not in ("unchanged", "recorded"):
        return f"re-sending a consent grant: {a}"
    return None


def subject_key(bureau, client, pid):
    if pid not in bureau.subjects:
        status, data = client.send("POST", "/v1/keys", bureau.operator,
                                   json.dumps({"role": "subject", "id": pid}).encode())
        assert status == 201, (status, data)
        bureau.subjects[pid] = Key(json.loads(data)["token"])
    return bureau.subjects[pid]


def self_report(bureau, ledger, client, pid):
    key = subject_key(bureau, client, pid)
    ledger.self_reports[1] += 1
    status, data = client.send("GET", "/v1/me/report", key)
    assert status == 200, f"a person's own report, with a key issued earlier (201): {status} {data[:300]!r}"
    ledger.self_reports[0] += 1
    return key, json.loads(data)


def applied(bureau, ledger, port):
    """The events each event account holds, as its owner's own report counts
    them (current.events_applied: read from the person's records, not from
    the index that tells a retry from a new event)."""
    out = {}
    client = Client(port)
    try:
        for pid in sorted(set(bureau.owner.values())):
            _, rep = self_report(bureau, ledger, client, pid)
            for a in rep["accounts"]:
                if a["account"] in bureau.owner:
                    out[a["account"]] = (a.get("current") or {}).get("events_applied", 0)
    finally:
        client.close()
    return out


def check_applied(bureau, before, bodies):
    """Each account held, at the restart, exactly the events of the bodies
    found stored: no acknowledged event missing, no event of a body that was
    not stored, so no body half applied in the person's records either."""
    want = {acct: 0 for acct in bureau.owner}
    for b in bodies:
        if b.get("stored") or b.get("was_stored"):
            for acct, n in b["per"].items():
                want[acct] += n
    return [f"account {acct}: {before.get(acct)} events applied at the restart, {n} in the bodies stored"
            for acct, n in sorted(want.items()) if before.get(acct, 0) != n]


def check_reports(bureau, ledger, port):
    """Each person's own report and access list hold at least the acknowledged
    reports of the lender, and at most the reports it sent."""
    problems = []
    client = Client(port)
    try:
        for (lender, pid), (acked, sent) in sorted(ledger.reports.items()):
            if not sent:
                continue
            key, rep = self_report(bureau, ledger, client, pid)
            inq = [i for i in rep["inquiries"]
                   if i["institution"] == lender and i["purpose"] == "loan_approval"]
            if not acked <= len(inq) <= sent:
                problems.append(f"{lender}: {acked} reports acknowledged, {sent} sent, "
                                f"{len(inq)} inquiries in the person's own report")
            status, data = client.send("GET", "/v1/me/access", key)
            assert status == 200, (status, data[:300])
            acc = [a for a in json.loads(data)["accesses"]
                   if a["institution"] == lender and a["action"] == "report" and a["outcome"] == "granted"]
            if not acked <= len(acc) <= sent:
                problems.append(f"{lender}: {acked} reports acknowledged, {sent} sent, "
                                f"{len(acc)} in the person's access list")
    finally:
        client.close()
    return problems


def summary(streams):
    n = {}
    for s in streams:
        for r in s.sent:
            n.setdefault(s.kind, {}).setdefault(r["state"], 0)
            n[s.kind][r["state"]] += 1
    return " ".join(f"{k}:" + ",".join(f"{st}={c}" for st, c in sorted(v.items())) for k, v in sorted(n.items()))


def counted(st, ledger, bureau, bodies, consents):
    """What stats must count after a crash: every acknowledged event, consent
    and inquiry, and nothing that was never sent."""
    problems = []
    stored = sum(b["k"] for b in ledger.bodies)
    lo = stored + sum(b["k"] for b in bodies if b["state"] == "acked")
    hi = stored + sum(b["k"] for b in bodies)
    if not lo <= int(st["events"]) <= hi:
        problems.append(f"stats: {st['events']} events, {lo} acknowledged, {hi} sent")
    base = int(bureau.base["consents"]) + len(ledger.consents)
    lo = base + sum(1 for c in consents if c["state"] == "acked")
    if not lo <= int(st["consents"]) <= base + len(consents):
        problems.append(f"stats: {st['consents']} consents, {lo} acknowledged, {base + len(consents)} sent")
    acked = sum(a for a, _ in ledger.reports.values()) + ledger.self_reports[0]
    sent = sum(s for _, s in ledger.reports.values()) + ledger.self_reports[1]
    if not acked <= int(st["inquiries"]) <= sent:
        problems.append(f"stats: {st['inquiries']} inquiries, {acked} acknowledged, {sent} sent")
    return problems


def report_problems(what, problems):
    assert not problems, f"{what}: {len(problems)} problems:\n  " + "\n  ".join(problems[:12])


def earlier(rng, items):
    """A sample of what earlier rounds stored, to send again with this
    round's own writes."""
    return items if len(items) <= RESEND_SAMPLE else rng.sample(items, RESEND_SAMPLE)


def epoch(rng, first, rounds, totals):
    """Crashes first .. first + rounds - 1 on one new store, then a clean
    stop and the checks of the whole store."""
    bureau = Bureau()
    ledger = Ledger(bureau)
    server = None
    try:
        server = Server(bureau.db, "--rate-limit", "0", start_timeout=START_TIMEOUT)
        for rnd in range(first, first + rounds):
            stop = threading.Event()
            streams = [Stream("events", t) for t in range(EVENT_THREADS)] + \
                      [Stream("report", t) for t in range(len(REPORT_LENDERS))] + [Stream("consent", 0)]
            threads = [threading.Thread(target=stream, daemon=True,
                                        args=(bureau, ledger, server.port, s.kind, s.t, rnd, stop, s,
                                              random.Random(rng.random())))
                       for s in streams]
            for t in threads:
                t.start()
            delay = rng.uniform(0.3, 2.5)
            time.sleep(delay)
            assert server.proc.poll() is None, \
                f"serve exited {server.proc.returncode} before the kill: {server.stderr()[-2000:]}"
            server.kill()   # SIGKILL: no drain, no last commit
            stop.set()
            for t in threads:
                t.join(timeout=TIMEOUT + 30)
                assert not t.is_alive(), "a client thread did not stop after the kill"
            print(f"crash {rnd}: killed after {delay:.2f} s; {summary(streams)}", flush=True)
            bad = [r["why"] for s in streams for r in s.sent if r["state"] == "unexpected"]
            assert not bad, f"{len(bad)} unexpected answers before the kill, e.g. {bad[:3]}"
            for s in streams:
                totals[s.kind] += sum(1 for r in s.sent if r["state"] == "acked")
            bodies = [r for s in streams if s.kind == "events" for r in s.sent]
            consents = [r for s in streams if s.kind == "consent" for r in s.sent]

            # The crashed store, before any restart: the chain holds, and it
            # counts every acknowledged write and nothing unsent.
            verify_cli(bureau.db, f"after crash {rnd}")
            problems = counted(stats(bureau.db), ledger, bureau, bodies, consents)

            # The same store serves again and answers for what it acknowledged;
            # this server takes the next round's writes.
            try:
                server = Server(bureau.db, "--rate-limit", "0", start_timeout=START_TIMEOUT)
                problems += check_reports(bureau, ledger, server.port)
                before = applied(bureau, ledger, server.port)
                problems += resend(server.port, bureau.furnisher, "/v1/events",
                                   earlier(rng, ledger.bodies) + bodies, check_events)
                problems += check_applied(bureau, before, ledger.bodies + bodies)
                problems += resend(server.port, bureau.lenders["L0001"], "/v1/consents",
                                   earlier(rng, ledger.consents) + consents, check_consent)
            except AssertionError as e:
                problems.append(f"after the restart: {e}")
            report_problems(f"crash {rnd} (seed {SEED})", problems)
            for r in bodies + consents:
                r["stored"] = True  # answered 200 now, if not before
            ledger.bodies += bodies
            ledger.consents += consents
            c = Client(server.port)
            try:
                status, data = c.send("GET", "/v1/audit/verify", bureau.operator)
            finally:
                c.close()
            assert status == 200 and json.loads(data)["intact"] is True, (status, data)

        # A clean stop after the crashes; then the store holds exactly what
        # was sent (every body was answered 200 by now), and the trail as
        # the person sees it.
        assert server.stop() == 0, server.stderr()[-2000:]
        server = None
        verify_cli(bureau.db, "after the last stop")
        st = stats(bureau.db)
        assert int(st["events"]) == sum(b["k"] for b in ledger.bodies), (st, len(ledger.bodies))
        assert int(st["consents"]) == int(bureau.base["consents"]) + len(ledger.consents), st
        problems = []
        for (lender, pid), (n_acked, sent) in sorted(ledger.reports.items()):
            if not sent:
                continue
            out = run("audit", "show", "--db", bureau.db, "--id", pid).stdout
            n = sum(1 for l in out.splitlines() if f" {lender} " in l and " report " in l and "granted" in l)
            if not n_acked <= n <= sent:
                problems.append(f"audit show: {n} reports by {lender}, {n_acked} acknowledged, {sent} sent")
        report_problems("after the last stop", problems)
        totals["events_acked"] += sum(b["k"] for b in ledger.bodies if b["state"] == "acked")
    finally:
        if server is not None:
            server.kill()
        bureau.close()


@test
def acknowledged_writes_survive_kill_9():
    rng = random.Random(SEED)
    print(f"crash: seed {SEED}, {ROUNDS} crashes{' (sanitizer build)' if ASAN else ''}, "
          f"a new store every {EPOCH}")
    totals = {"events": 0, "report": 0, "consent": 0, "events_acked": 0}
    done = 0
    while done < ROUNDS:
        n = min(EPOCH, ROUNDS - done)
        epoch(rng, done + 1, n, totals)
        done += n
    assert all(totals.values()), f"a kind of write was never acknowledged: {totals}"
    print(f"crash: acknowledged {totals['events']} event bodies ({totals['events_acked']} events), "
          f"{totals['report']} reports, {totals['consent']} consent grants over {ROUNDS} crashes; "
          f"none lost")


if __name__ == "__main__":
    sys.exit(main("crash"))
