#!/usr/bin/env python3
"""One caller's bad request fails alone (DESIGN.md rule 8; issue 14): the
server commits the requests queued together in one shared transaction
(src/server/committer.h), and nothing one caller sends may fail another's
work committed with it.

Many clients at once: lenders asking for reports, furnishers sending light
and heavy bodies of statements, while others send what used to take a whole
group down: consents whose institution or scope is multi-byte text or holds
a resident ID, a body that crosses the per-person account limit, and a
furnisher whose code has an underscore (its audit entries were refused).
Every unrelated request answers 200 and is audited; each bad one answers
4xx on its own; no group fails."""
import json
import os
import shutil
import tempfile
import threading

from harness import main, run, test
from apiserver import seeded_store, ASOF, Server, assert_problem, call, issue

A = "110105198001010016"
C = "440305199003200034"
SETUP = [
    {"type": "institution", "code": "B0001", "name": "First Bank", "kind": "bank"},
    {"type": "institution", "code": "B_01", "name": "Underscore Bank", "kind": "bank"},
    {"type": "institution", "code": "L0001", "name": "First Lender", "kind": "consumer_finance"},
    {"type": "consent", "id": A, "institution": "B0001", "scope": "furnish", "granted": "2020-01-01"},
    {"type": "consent", "id": A, "institution": "B_01", "scope": "furnish", "granted": "2020-01-01"},
    {"type": "consent", "id": C, "institution": "B0001", "scope": "furnish", "granted": "2020-01-01"},
    {"type": "consent", "id": C, "institution": "B_01", "scope": "furnish", "granted": "2020-01-01"},
    {"type": "consent", "id": A, "institution": "L0001", "scope": "query", "purpose": "loan_approval",
     "granted": "2026-01-01"},
] + [{"type": "account", "institution": inst, "account": acct, "id": pid, "name": "甲一",
      "product": "revolving", "opened": "2020-12-01", "credit_limit": 2000000}
     for inst, acct, pid in (("B0001", "ISO-A-1", A), ("B0001", "ISO-A-2", A), ("B_01", "ISO-A-U", A),
                             ("B_01", "ISO-C-U", C))]
ROUNDS = 20


def jsonl(recs):
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n"


def stmt(inst, acct, month, balance):
    return {"type": "statement", "institution": inst, "account": acct, "month": month,
            "balance": balance, "due": 1000, "paid": 1000, "overdue": 0, "dpd": 0, "status": "N"}


def months():
    for y in range(2021, 2027):
        for m in range(1, 13):
            if (y, m) <= (2026, 6):
                yield f"{y}-{m:02d}"


def bad_consents(subject, lender):
    """(key, path, body): consents a single caller sends, each of them bad."""
    out = []
    for text in ("银行", "银行银行银", "L0001银", "é" * 7, "🏦🏦🏦", "1101051980010100"):
        out.append((subject, "/v1/consents", {"type": "consent", "id": A, "institution": text,
                                               "scope": "query", "purpose": "loan_approval", "granted": ASOF}))
        out.append((subject, "/v1/consents", {"type": "consent", "id": A, "institution": "L0001",
                                               "scope": text, "granted": ASOF}))
        out.append((subject, "/v1/consents/revoke", {"id": A, "institution": text, "scope": "query"}))
        out.append((subject, "/v1/consents/revoke", {"id": A, "institution": "L0001", "scope": text}))
        out.append((lender, "/v1/consents", {"type": "consent", "id": A, "institution": text,
                                              "scope": "query", "purpose": "loan_approval", "granted": ASOF}))
    for text in (A, "11010519800101001", "13812345678"):
        out.append((subject, "/v1/consents/revoke", {"id": A, "institution": text, "scope": text}))
    return out


class World:
    def __init__(self):
        self.dir, self.db = seeded_store("creditref-isolation-", jsonl(SETUP))
        self.k = {"lender": issue(self.db, "lender", "L0001"), "b0001": issue(self.db, "furnisher", "B0001"),
                  "b_01": issue(self.db, "furnisher", "B_01"), "subject": issue(self.db, "subject", pid=A),
                  "operator": issue(self.db, "operator")}
        self.server = Server(self.db, "--rate-limit", "0")
        self.lock = threading.Lock()
        self.results = []   # (kind, response)

    def send(self, kind, key, path, body, ctype="application/json"):
        r = call(self.server.base, "POST", path, self.k[key], body, ctype=ctype, timeout=120)
        with self.lock:
            self.results.append((kind, r))

    def close(self):
        self.server.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def clients():
    """The threads: each a list of (kind, key, path, body, ctype) sent in order."""
    nd = "application/x-ndjson"
    ms = list(months())

    def heavy(i):
        return jsonl([stmt("B0001", acct, m, 50000 + i) for acct in ("ISO-A-1", "ISO-A-2") for m in ms])

    assert len(heavy(0).encode()) > 16 << 10, "a heavy body: over CR_COMMIT_LIGHT_BYTES"
    over = jsonl([{"type": "account", "institution": "B0001", "account": f"OVER-{i:05d}", "id": C,
                   "name": "丙三", "product": "installment", "opened": "2025-01-01",
                   "principal": 10000, "term_months": 12} for i in range(1030)])
    threads = []
    for t in range(3):
        threads.append([("report", "lender", "/v1/reports", {"id": A, "purpose": "loan_approval"}, None)
                        for _ in range(ROUNDS)])
    for t in range(2):
        threads.append([("light", "b0001", "/v1/furnish",
                         jsonl([stmt("B0001", "ISO-A-1", ms[-1 - (i % 6)], 1000 * (t * ROUNDS + i))]), nd)
                        for i in range(ROUNDS)])
    threads.append([("heavy", "b0001", "/v1/furnish", heavy(i), nd) for i in range(ROUNDS // 4)])
    threads.append([("code", "b_01", "/v1/furnish",
                     jsonl([stmt("B_01", "ISO-A-U", ms[-1 - (i % 6)], 700 * i)]), nd) for i in range(ROUNDS)])
    bad = [("bad", "subject" if k == "s" else "lender", p, b, None)
           for k, p, b in bad_consents("s", "l")]
    threads += [bad[i::3] for i in range(3)]
    threads.append([("over", "b0001", "/v1/furnish", over, nd)] * 2)
    return threads


@test
def a_bad_request_fails_alone_in_a_crowd():
    w = World()
    try:
        plan = clients()
        start = threading.Barrier(len(plan))

        def worker(items):
            start.wait()
            for kind, key, path, body, ctype in items:
                w.send(kind, key, path, body, ctype or "application/json")

        ts = [threading.Thread(target=worker, args=(items,)) for items in plan]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        by = {}
        for kind, r in w.results:
            by.setdefault(kind, []).append(r)
        for kind in ("report", "light", "heavy", "code"):
            failed = [r for r in by[kind] if r.status != 200]
            assert not failed, f"{len(failed)} of {len(by[kind])} unrelated '{kind}' requests failed: {failed[:3]}"
        for r in by["bad"]:
            assert 400 <= r.status < 500, f"a bad request answered {r.status}: {r!r}"
            assert_problem(r, r.status)
        for r in by["over"]:
            assert r.status < 500, f"the body over the per-person limit answered {r.status}: {r!r}"
        m = call(w.server.base, "GET", "/metrics", w.k["operator"]).text()
        assert "\ncreditref_commit_failed_groups_total 0\n" in m, [
            line for line in m.splitlines() if line.startswith("creditref_commit")]
        # The engine's health is there for the operator: the bodies above
        # read people the writer had not cached, then found them cached, and
        # the reports read table blocks through the block cache.
        g = dict(l.rsplit(" ", 1) for l in m.splitlines() if l.startswith("creditref_store_"))
        assert int(g["creditref_store_person_cache_misses_total"]) > 0, g
        assert int(g["creditref_store_person_cache_hits_total"]) > 0, g
        assert int(g["creditref_store_person_cache_bytes"]) > 0, g
        assert int(g["creditref_store_block_cache_bytes"]) > 0, g
        assert int(g["creditref_store_l0_files"]) >= 0 and int(g["creditref_store_compaction_pending_bytes"]) >= 0, g
        assert w.server.stop() == 0
        # Every answered report and body is in the trail, and only those.
        entries = [json.loads(line) for line in open(os.path.join(w.db, "audit.log"), encoding="utf-8")]
        reports = [e for e in entries if e["action"] == "report" and e["outcome"] == "granted"]
        assert len(reports) == len(by["report"]), (len(reports), len(by["report"]))
        furnished = [e for e in entries if e["action"] == "furnish" and e["actor"]["institution"] == "B_01"]
        assert len(furnished) == len(by["code"]), (len(furnished), len(by["code"]))
        accepted_over = sum(r.json()["accepted"] for r in by["over"] if r.status == 200)
        over_audited = [e for e in entries if e["action"] == "furnish" and "submitted=1030" in e["detail"]]
        assert len(over_audited) == sum(1 for r in by["over"] if r.status == 200), (over_audited, accepted_over)
        assert "chain intact" in run("audit", "verify", "--db", w.db).stdout
    finally:
        w.close()


if __name__ == "__main__":
    raise SystemExit(main("isolation"))
