#!/usr/bin/env python3
"""End-to-end tests of the supervision figures of docs/quality.md: data
quality per furnisher (creditref quality) and co-lending funding shares
(creditref colending).

Two small hand-written furnishing files, ingested on two days, carry known
rejects, held records, late corrections, event lags, gaps, consents and
co-lender shares.  Every expected figure is computed here from the records
with a model of the rules (docs/FORMAT.md, docs/quality.md), never copied
from an output: the outcome of each line, the reporting lag of each event
in the log2 buckets, the months each account misses, the share each partner
funds."""
import collections
import datetime
import json
import os
import shutil
import sys
import tempfile

from harness import main, run, test

CST = datetime.timezone(datetime.timedelta(hours=8))
DAY1, DAY2 = "2026-03-10", "2026-03-11"
BUCKETS = 32


def resident_id(seq):
    body = "11010519800101%03d" % seq
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]


P1, P2, P3, P4 = (resident_id(i) for i in (11, 12, 13, 14))


def inst(code, kind):
    return {"type": "institution", "code": code, "name": code + " Co", "kind": kind}


def consent(pid, code):
    return {"type": "consent", "id": pid, "institution": code, "scope": "furnish",
            "granted": "2025-01-01", "expires": "2030-01-01", "evidence": "sha256:x"}


def account(code, acct, pid, opened, colenders=None):
    r = {"type": "account", "institution": code, "account": acct, "id_type": "resident",
         "id": pid, "name": "Zhang", "product": "installment", "opened": opened,
         "principal": 1000000, "term_months": 12}
    if colenders:
        r["co_lenders"] = [{"institution": c, "share_bp": s} for c, s in colenders]
    return r


def stmt(code, acct, month, balance):
    return {"type": "statement", "institution": code, "account": acct, "month": month,
            "balance": balance, "due": 1000, "paid": 1000, "overdue": 0, "dpd": 0,
            "status": "N"}


def event(code, acct, eid, at):
    return {"type": "event", "institution": code, "account": acct, "event_id": eid,
            "at": at, "kind": "repayment", "amount": 100}


DAY1_RECORDS = [
    inst("P001", "platform"), inst("P002", "platform"),
    inst("B001", "bank"), inst("B002", "bank"),
    consent(P1, "P001"), consent(P2, "P001"), consent(P3, "P002"),
    # P001 funds 29% of A1 itself; P002 31% of C1.
    account("P001", "A1", P1, "2025-10-01", [("P001", 2900), ("B001", 7100)]),
    account("P001", "A2", P2, "2025-10-01"),
    account("P001", "A3", P4, "2025-12-01"),          # no consent: held
    account("P002", "C1", P3, "2025-11-01", [("B001", 6900), ("P002", 3100)]),
    stmt("P001", "A1", "2025-10", 50000), stmt("P001", "A1", "2025-11", 60000),
    stmt("P001", "A1", "2026-01", 100000),
    stmt("P001", "A2", "2025-10", 200000), stmt("P001", "A2", "2025-11", 210000),
    stmt("P002", "C1", "2025-11", 300000), stmt("P002", "C1", "2025-12", 290000),
    stmt("P002", "C1", "2026-01", 280000), stmt("P002", "C1", "2026-02", 270000),
    stmt("P001", "NOPE", "2026-01", 1),               # rejected: unknown account
    stmt("P001", "A3", "2025-01", 1),                 # rejected: before opening
    event("P001", "A3", "e1", "2026-03-10T10:00:00+08:00"),   # held, lag ~14 h
    event("P001", "A3", "e2", "2026-03-01T00:00:00+08:00"),   # held, lag ~10 d
    event("P001", "A2", "e3", "2026-03-10T23:59:58+08:00"),   # accepted, lag 1 s
]
BAD_LINE = '{"type":"statement", broken'
DAY2_RECORDS = [
    stmt("P001", "A1", "2026-01", 120000),            # late correction
    stmt("P001", "A1", "2025-11", 60000),             # unchanged
    stmt("P001", "A2", "2026-02", 220000),            # a new month
    event("P001", "A2", "e3", "2026-03-10T23:59:58+08:00"),   # retry: unchanged
    event("P002", "C1", "f1", "2026-02-11T12:00:00+08:00"),   # accepted, ~28 d
]


def month_of(s):
    y, m = s[:7].split("-")
    return int(y) * 12 + int(m) - 1


def day_end(day):
    d = datetime.date.fromisoformat(day) + datetime.timedelta(days=1)
    return int(datetime.datetime(d.year, d.month, d.day, tzinfo=CST).timestamp()) - 1


def bucket(lag):
    return min(lag.bit_length(), BUCKETS - 1) if lag > 0 else 0


def percentile(hist, pct):
    n = sum(hist)
    if not n:
        return -1
    need, seen = (n * pct + 99) // 100, 0
    for b, c in enumerate(hist):
        seen += c
        if seen >= need:
            return 0 if b == 0 else 1 << b
    return 1 << (BUCKETS - 1)


class Model:
    """The store as the rules build it, and the counters of docs/quality.md."""

    def __init__(self):
        self.insts, self.consents, self.accounts = set(), set(), {}
        self.hist, self.events = {}, {}
        self.days = collections.defaultdict(lambda: collections.Counter())
        self.lags = collections.defaultdict(lambda: [0] * BUCKETS)

    def outcome(self, r, day):
        t = r["type"]
        if t == "institution":
            self.insts.add(r["code"])
            return "accepted", None
        if t == "consent":
            self.consents.add((r["id"], r["institution"]))
            return "accepted", None
        key = (r["institution"], r["account"])
        if t == "account":
            self.accounts[key] = r
            return self.live(r), None
        a = self.accounts.get(key)
        if a is None:
            return "rejected", None
        if t == "statement":
            m = month_of(r["month"])
            if m < month_of(a["opened"]):
                return "rejected", None
            old = self.hist.get((key, m))
            if old == r["balance"]:
                return "unchanged", None
            self.hist[(key, m)] = r["balance"]
            return self.live(a), "late" if old is not None else None
        if r["event_id"] in self.events.get(key, set()):
            return "unchanged", None
        self.events.setdefault(key, set()).add(r["event_id"])
        at = int(datetime.datetime.fromisoformat(r["at"]).timestamp())
        return self.live(a), day_end(day) - at

    def live(self, a):
        return "accepted" if (a["id"], a["institution"]) in self.consents else "held"

    def ingest(self, records, day, bad=()):
        for r in records:
            code = r.get("code") or r.get("institution")
            out, extra = self.outcome(r, day)
            c = self.days[(code, day)]
            c["submitted"] += 1
            c[out] += 1
            if extra == "late":
                c["late"] += 1
            elif isinstance(extra, int) and out != "unchanged":
                self.lags[(code, day)][bucket(extra)] += 1
        for _ in bad:
            self.days[("-", day)]["submitted"] += 1
            self.days[("-", day)]["rejected"] += 1

    def gaps(self, code, asof):
        """(accounts, accounts with gaps, months missing) of code's accounts."""
        end, n, with_gaps, missing = month_of(asof) - 1, 0, 0, 0
        for (c, acct), a in self.accounts.items():
            if c != code:
                continue
            miss = sum(1 for m in range(month_of(a["opened"]), end + 1)
                       if ((c, acct), m) not in self.hist)
            n, with_gaps, missing = n + 1, with_gaps + (miss > 0), missing + miss
        return n, with_gaps, missing

    def coverage(self, code):
        people = {a["id"] for (c, _), a in self.accounts.items() if c == code}
        return len(people), sum(1 for p in people if (p, code) in self.consents)

    def balance(self, key, month):
        ms = [m for (k, m) in self.hist if k == key and m <= month]
        return self.hist[(key, max(ms))] if ms else 0


class Store:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-quality-")
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)
        self.model = Model()

    def ingest(self, records, day, bad=()):
        path = os.path.join(self.dir, day + ".jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
            for line in bad:
                f.write(line + "\n")
        run("ingest", "--db", self.db, "--as-of", day, "--rejects",
            os.path.join(self.dir, day + ".rejects.jsonl"), path)
        self.model.ingest(records, day, bad)

    def rejects(self, day):
        path = os.path.join(self.dir, day + ".rejects.jsonl")
        if not os.path.exists(path):  # written only when a line is rejected
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(l) for l in f]


STORE = None


def store():
    global STORE
    if STORE is None:
        STORE = Store()
        STORE.ingest(DAY1_RECORDS, DAY1, [BAD_LINE])
        STORE.ingest(DAY2_RECORDS, DAY2)
    return STORE


def quality(*extra):
    s = store()
    return json.loads(run("quality", "--db", s.db, "--as-of", DAY2, *extra).stdout)


def colending(*extra):
    s = store()
    return json.loads(run("colending", "--db", s.db, "--as-of", DAY2, *extra).stdout)


@test
def counts_per_furnisher_and_day():
    q, m = quality(), store().model
    got = {(d["institution"], d["day"]): d for d in q["days"]}
    assert set(got) == set(m.days), (sorted(got), sorted(m.days))
    for key, c in m.days.items():
        d = got[key]
        for f in ("submitted", "accepted", "rejected", "held", "unchanged"):
            assert d[f] == c[f], (key, f, d[f], c[f])
        assert d["late_corrections"] == c["late"], (key, d, c)
        hist = m.lags[key]
        assert d["events"] == sum(hist), (key, d, hist)
        assert d["lag_p50_s"] == percentile(hist, 50), (key, d, hist)
        assert d["lag_p99_s"] == percentile(hist, 99), (key, d, hist)


@test
def totals_coverage_and_gaps():
    q, m = quality(), store().model
    rows = {r["institution"]: r for r in q["institutions"]}
    for code in ("P001", "P002", "B001"):
        r = rows[code]
        days = [c for (i, _), c in m.days.items() if i == code]
        for f in ("submitted", "accepted", "rejected", "held", "unchanged"):
            assert r[f] == sum(c[f] for c in days), (code, f, r)
        assert r["late_corrections"] == sum(c["late"] for c in days), r
        hist = [sum(h[b] for (i, _), h in m.lags.items() if i == code) for b in range(BUCKETS)]
        assert (r["lag_p50_s"], r["lag_p99_s"]) == (percentile(hist, 50),
                                                     percentile(hist, 99)), (r, hist)
        borrowers, covered = m.coverage(code)
        assert (r["borrowers"], r["borrowers_consented"]) == (borrowers, covered), r
        assert r["consent_coverage_bp"] == (covered * 10000 // borrowers if borrowers else 0)
        assert (r["accounts"], r["accounts_with_gaps"], r["months_missing"]) == \
            m.gaps(code, DAY2), (r, m.gaps(code, DAY2))
    # The scenario is what it says: late corrections, held lines, lags.
    assert rows["P001"]["late_corrections"] == 1 and rows["P001"]["held"] >= 3
    assert rows["P001"]["lag_p99_s"] > rows["P001"]["lag_p50_s"] > 0


@test
def rejects_by_reason():
    q, s = quality(), store()
    want = collections.Counter()
    for day in (DAY1, DAY2):
        for r in s.rejects(day):
            try:
                code = json.loads(r["record"]).get("institution", "-")
            except ValueError:
                code = "-"
            want[(code, r["reason"])] += 1
    got = {(r["institution"], r["reason"]): r["rejected"] for r in q["reasons"]}
    assert got == dict(want), (got, want)
    assert len(want) == 3


@test
def one_institution_and_a_range_of_days():
    q = quality("--institution", "P002", "--from", DAY2, "--to", DAY2)
    assert {r["institution"] for r in q["institutions"]} == {"P002"}, q
    assert [(d["institution"], d["day"]) for d in q["days"]] == [("P002", DAY2)], q
    assert q["reasons"] == []


def expected_shares(model, month, floor_bp):
    plat, part = {}, collections.Counter()
    for key, a in model.accounts.items():
        if not a.get("co_lenders") or month_of(a["opened"]) > month:
            continue
        bal, code = model.balance(key, month), a["institution"]
        p = plat.setdefault(code, [0, 0, 0])
        p[0] += bal
        p[2] += 1
        for c in a["co_lenders"]:
            funded = bal * c["share_bp"] // 10000
            part[(code, c["institution"])] += funded
            if c["institution"] == code:
                p[1] += funded
    return ({c: (o, own, n, own * 10000 // o if o else 0, o > 0 and own * 10000 < floor_bp * o)
             for c, (o, own, n) in plat.items()}, part)


@test
def funding_shares_and_the_floor():
    m = store().model
    for floor, flag_p1, flag_p2 in ((None, True, False), ("29", False, False),
                                    ("31.5", True, True)):
        c = colending("--month", "2026-01", *(("--floor", floor) if floor else ()))
        floor_bp = int(float(floor) * 100) if floor else 3000
        assert c["floor_bp"] == floor_bp, c
        plat, part = expected_shares(m, month_of("2026-01"), floor_bp)
        got = {p["platform"]: p for p in c["platforms"]}
        assert set(got) == set(plat), (got, plat)
        for code, (o, own, n, share, flagged) in plat.items():
            g = got[code]
            assert (g["outstanding"], g["own_funded"], g["accounts"], g["own_share_bp"],
                    g["below_floor"]) == (o, own, n, share, flagged), (g, plat[code])
        assert got["P001"]["below_floor"] is flag_p1 and got["P002"]["below_floor"] is flag_p2
        gp = {(q["platform"], q["partner"]): q["funded"] for q in c["partners"]}
        assert gp == dict(part), (gp, part)
    # At the default floor, 29% is flagged and 31% is not.
    c = colending("--month", "2026-01")
    shares = {p["platform"]: p["own_share_bp"] for p in c["platforms"]}
    assert shares == {"P001": 2900, "P002": 3100}, shares


@test
def funding_shares_over_months():
    c, m = colending("--from", "2025-10", "--to", "2026-02"), store().model
    months = sorted({p["month"] for p in c["platforms"]})
    assert months == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02"], months
    for p in c["platforms"]:
        plat, _ = expected_shares(m, month_of(p["month"]), 3000)
        assert p["outstanding"] == plat[p["platform"]][0], (p, plat)


@test
def bad_options_are_refused():
    s = store()
    for args in (("quality", "--from", "2026-13-01"), ("colending", "--floor", "101"),
                 ("colending", "--month", "2026/01"), ("colending", "--floor", "x")):
        p = run(args[0], "--db", s.db, *args[1:], ok=False)
        assert p.returncode != 0, args


@test
def reads_are_audited():
    s = store()
    quality()
    colending()
    log = open(os.path.join(s.db, "audit.log"), encoding="utf-8").read()
    assert '"quality_read"' in log and '"colending_read"' in log


def cleanup():
    if STORE is not None:
        shutil.rmtree(STORE.dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main("quality", cleanup))
