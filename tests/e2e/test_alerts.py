#!/usr/bin/env python3
"""End-to-end tests of post-loan monitoring alerts (docs/alerts.md): data
furnished over the API by one lender raises alerts for another lender that
holds an open account with the same person; the feed GET /v1/alerts pages by
cursor exactly once; held data raises nothing; no alert shows another
lender's code or account numbers; every page delivered is audited."""
import json
import os
import shutil
import sys
import tempfile

from harness import main, run, test
from apiserver import seeded_store, ASOF, Server, assert_problem, call, issue, mask

P = "11010519491231002X"
WATCH_ACCT = "WATCH-B1-0001"
OTHER_ACCT = "SECRET-B2-7788"
HELD_ACCT = "HELD-B3-4455"
SETUP = [
    {"type": "institution", "code": "B0001", "name": "Watching Bank", "kind": "bank"},
    {"type": "institution", "code": "B0002", "name": "Other Lender", "kind": "platform"},
    {"type": "institution", "code": "B0003", "name": "Unconsented Lender", "kind": "platform"},
] + [{"type": "institution", "code": f"L000{i}", "name": f"Inquirer {i}", "kind": "bank"} for i in (1, 2, 3)] + [
    {"type": "consent", "id": P, "institution": "B0001", "scope": "furnish", "granted": "2025-01-01"},
    {"type": "consent", "id": P, "institution": "B0002", "scope": "furnish", "granted": "2025-01-01"},
] + [{"type": "consent", "id": P, "institution": f"L000{i}", "scope": "query", "purpose": "loan_approval",
      "granted": "2026-06-01"} for i in (1, 2, 3)] + [
    {"type": "account", "institution": "B0001", "account": WATCH_ACCT, "id": P, "name": "张三",
     "product": "revolving", "opened": "2025-01-05", "credit_limit": 5000000},
]


def jsonl(recs):
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n"


def event(inst, acct, eid, at, kind, amount, dpd=None):
    e = {"type": "event", "institution": inst, "account": acct, "event_id": eid,
         "at": at, "kind": kind, "amount": amount}
    if dpd is not None:
        e["dpd"] = dpd
    return e


class World:
    def __init__(self):
        self.dir, self.db = seeded_store("creditref-alerts-", jsonl(SETUP))
        self.k = {"b1_lender": issue(self.db, "lender", "B0001"),
                  "b1_furn": issue(self.db, "furnisher", "B0001"),
                  "b2_lender": issue(self.db, "lender", "B0002"),
                  "b2": issue(self.db, "furnisher", "B0002"),
                  "b3": issue(self.db, "furnisher", "B0003")}
        for i in (1, 2, 3):
            self.k[f"l{i}"] = issue(self.db, "lender", f"L000{i}")
        self.server = Server(self.db)

    def post(self, key, path, recs):
        r = call(self.server.base, "POST", path, self.k[key], jsonl(recs), ctype="application/x-ndjson")
        assert r.status == 200, r
        return r.json()

    def feed(self, key, query=""):
        r = call(self.server.base, "GET", "/v1/alerts" + query, self.k[key])
        assert r.status == 200, r
        return r

    def kinds(self, key="b1_lender"):
        return [a["kind"] for a in self.feed(key).json()["alerts"]]

    def report(self, key):
        r = call(self.server.base, "POST", "/v1/reports", self.k[key], {"id": P, "purpose": "loan_approval"})
        assert r.status == 200, r

    def close(self):
        if self.server:
            self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


W = None


def world():
    global W
    if W is None:
        W = World()
        build(W)
    return W


def build(w):
    """The story, checking after each step that exactly the right alert came."""
    assert w.kinds() == [], "alerts before any data"
    # Held data (no furnish consent for B0003): nothing, however bad.
    c = w.post("b3", "/v1/furnish", [
        {"type": "account", "institution": "B0003", "account": HELD_ACCT, "id": P, "name": "张三",
         "product": "installment", "opened": "2026-06-02", "principal": 9000000, "term_months": 12},
        event("B0003", HELD_ACCT, "b3-1", "2026-06-03T10:00:00+08:00", "drawdown", 9000000),
        event("B0003", HELD_ACCT, "b3-2", "2026-06-20T10:00:00+08:00", "overdue", 50000, 45)])
    assert c["held"] == 3, c
    assert w.kinds() == [], "held data raised an alert"
    # A new account at another lender.
    c = w.post("b2", "/v1/furnish", [
        {"type": "account", "institution": "B0002", "account": OTHER_ACCT, "id": P, "name": "张三",
         "product": "revolving", "opened": "2026-06-01", "credit_limit": 9000000}])
    assert c["accepted"] == 1, c
    assert w.kinds() == ["new_account"]
    # Exposure: +500,000 from 0 is not more than 1,000,000; +2,000,000 on 500,000 is.
    w.post("b2", "/v1/events", [event("B0002", OTHER_ACCT, "b2-1", "2026-06-05T10:00:00+08:00", "drawdown", 500000)])
    assert w.kinds() == ["new_account"], "a rise under the minimum raised an alert"
    w.post("b2", "/v1/events", [event("B0002", OTHER_ACCT, "b2-2", "2026-06-06T10:00:00+08:00", "drawdown", 2000000)])
    assert w.kinds() == ["new_account", "exposure_rise"]
    # 29 days past due is not 30.
    w.post("b2", "/v1/events", [event("B0002", OTHER_ACCT, "b2-3", "2026-06-20T10:00:00+08:00", "overdue", 1000, 29)])
    assert w.kinds() == ["new_account", "exposure_rise"], "dpd 29 raised an alert"
    w.post("b2", "/v1/events", [event("B0002", OTHER_ACCT, "b2-4", "2026-06-21T10:00:00+08:00", "overdue", 1000, 30)])
    assert w.kinds() == ["new_account", "exposure_rise", "dpd30"]
    # Inquiries: two in 7 days are not three.
    w.report("l1")
    w.report("l2")
    assert w.kinds() == ["new_account", "exposure_rise", "dpd30"], "2 inquiries raised an alert"
    w.report("l3")
    assert w.kinds() == ["new_account", "exposure_rise", "dpd30", "inquiries"]


@test
def the_watching_lender_gets_each_kind_once_in_order():
    w = world()
    page = w.feed("b1_lender").json()
    assert [a["cursor"] for a in page["alerts"]] == ["1", "2", "3", "4"], page
    assert page["next"] == "4", page
    for a in page["alerts"]:
        assert a["subject"] == mask(P), a
        assert a["accounts"] == [WATCH_ACCT], a
        assert a["at"].startswith("2026-06-"), a


@test
def the_furnisher_key_of_the_institution_reads_the_same_feed():
    w = world()
    assert w.feed("b1_furn").body == w.feed("b1_lender").body


@test
def alerts_never_show_another_lenders_code_or_accounts():
    w = world()
    text = w.feed("b1_lender").text()
    for secret in ("B0002", "B0003", "L0001", "L0002", "L0003", OTHER_ACCT, HELD_ACCT, "SECRET", P,
                   "Other Lender", "2500000", "2000000"):
        assert secret not in text, f"{secret!r} in {text}"
    # The other lender holds an open account too: it is told about what others did
    # (the inquiries), never about its own data, and sees only its own account.
    b2 = w.feed("b2_lender").json()
    assert [a["kind"] for a in b2["alerts"]] == ["inquiries"], b2
    assert b2["alerts"][0]["accounts"] == [OTHER_ACCT], b2
    assert WATCH_ACCT not in w.feed("b2_lender").text()


@test
def cursor_paging_is_exactly_once():
    w = world()
    first = w.feed("b1_lender", "?after=0&limit=2")
    again = w.feed("b1_lender", "?after=0&limit=2")
    assert first.body == again.body, "the same cursor gave another page"
    p1 = first.json()
    assert [a["cursor"] for a in p1["alerts"]] == ["1", "2"] and p1["next"] == "2", p1
    p2 = w.feed("b1_lender", "?after=" + p1["next"] + "&limit=2").json()
    assert [a["kind"] for a in p2["alerts"]] == ["dpd30", "inquiries"] and p2["next"] == "4", p2
    end = w.feed("b1_lender", "?after=4").json()
    assert end == {"alerts": [], "next": "4"}, end


@test
def bad_cursors_and_limits_are_400():
    w = world()
    for q in ("?limit=0", "?limit=1001", "?limit=x", "?after=-1", "?after=abc"):
        assert_problem(call(w.server.base, "GET", "/v1/alerts" + q, w.k["b1_lender"]), 400)
    assert_problem(call(w.server.base, "GET", "/v1/alerts", auth="Bearer x"), 401)


@test
def every_page_delivered_is_audited_and_empty_pages_are_not():
    w = world()
    log = os.path.join(w.db, "audit.log")

    def deliveries():
        return [json.loads(l) for l in open(log, encoding="utf-8") if '"alert_delivery"' in l]
    before = len(deliveries())
    w.feed("b1_lender", "?after=0&limit=3")
    w.feed("b1_lender", "?after=3")
    w.feed("b1_lender", "?after=4")
    got = deliveries()[before:]
    assert [e["detail"] for e in got] == ["after=0 next=3 alerts=3", "after=3 next=4 alerts=1"], got
    assert all(e["actor"]["institution"] == "B0001" for e in got), got


@test
def alert_thresholds_are_per_lender():
    d = tempfile.mkdtemp(prefix="creditref-alerts-cfg-")
    try:
        db = os.path.join(d, "db")
        run("init", "--db", db)
        src = os.path.join(d, "setup.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            f.write(jsonl(SETUP))
        run("ingest", "--db", db, "--as-of", ASOF, src)
        out = run("alerts", "config", "--db", db, "--institution", "B0001", "--exposure-min", "100000",
                  "--inquiries", "2").stdout
        assert "> 20%" in out and "100000" in out, out
        assert run("alerts", "config", "--db", db, "--institution", "X9999", ok=False).returncode == 4
        recs = [{"type": "account", "institution": "B0002", "account": OTHER_ACCT, "id": P, "name": "张三",
                 "product": "revolving", "opened": "2026-06-01", "credit_limit": 9000000},
                event("B0002", OTHER_ACCT, "e1", "2026-06-05T10:00:00+08:00", "drawdown", 500000)]
        with open(src, "w", encoding="utf-8") as f:
            f.write(jsonl(recs))
        run("ingest", "--db", db, "--as-of", ASOF, src)
        page = json.loads(run("alerts", "list", "--db", db, "--institution", "B0001").stdout)
        assert [a["kind"] for a in page["alerts"]] == ["new_account", "exposure_rise"], page
    finally:
        shutil.rmtree(d, ignore_errors=True)


def cleanup():
    if W:
        W.close()


if __name__ == "__main__":
    sys.exit(main("alerts", cleanup))
