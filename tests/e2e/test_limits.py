#!/usr/bin/env python3
"""Per-person limits drop none of the newest facts and fail no read
(DESIGN.md rule 10; issue 14, defect 2; cr_limits.h says each decision).

- Inquiries: a report lists the newest 512 of the two years and says how
  many there are; the exposure block and the inquiry alert count every one.
  Before the fix the oldest 512 were kept: the newest inquiries vanished
  from the report and the counts, and a threshold above 512 never fired.
- Accounts: a person keeps at most 1,024; the account line past it is
  rejected with its reason, alone, and everything else about the person
  goes on.  Before the fix it was stored, and then every report about the
  person failed, and so did any furnishing body that reached the alert
  rules for them.
- Disputes: a report reads every one of the person's disputes.  Before the
  fix it read the first 256: an unanswered dispute filed after them hid
  nothing, and its annotation was missing."""
import json
import os
import sys

from harness import main, run, test
from apiserver import ASOF, Server, Store, call, issue

A = "110105198001010016"   # fixtures/api.jsonl: B0001, B0002 furnish; L0001 queries
C = "440305199003200034"   # fixtures/api.jsonl: B0001 (API-C-B1), B0002 furnish
ACCOUNTS_MAX = 1024        # CR_SUBJECT_ACCOUNTS_MAX
INQUIRIES_MAX = 512        # CR_REPORT_INQUIRIES_MAX


def ingest(st, name, recs, as_of=ASOF):
    path = os.path.join(st.dir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    p = run("ingest", "--db", st.db, "--as-of", as_of, "--rejects", path + ".rejects", path)
    rejects = []
    if os.path.exists(path + ".rejects"):
        with open(path + ".rejects", encoding="utf-8") as f:
            rejects = [json.loads(x) for x in f]
    return p.stdout, rejects


def account(inst, acct, pid, opened="2026-06-01"):
    return {"type": "account", "institution": inst, "account": acct, "id": pid, "name": "丙三",
            "product": "installment", "opened": opened, "principal": 100000, "term_months": 12}


def report(st, pid, inst, purpose, as_of=ASOF):
    args = ["report", "--db", st.db, "--id", pid, "--purpose", purpose, "--as-of", as_of]
    if inst:
        args += ["--as", inst]
    return json.loads(run(*args).stdout)


@test
def a_report_lists_the_newest_inquiries_and_counts_every_one():
    st = Store("creditref-limit-inquiries-")
    server = None
    n = INQUIRIES_MAX + 8
    try:
        # B0001 (an open account with A) is told at exactly n inquiries.
        run("alerts", "config", "--db", st.db, "--institution", "B0001", "--inquiries", str(n))
        lender = issue(st.db, "lender", institution="L0001")
        server = Server(st.db)
        for i in range(n):
            purpose = "guarantee" if i == n - 1 else "loan_approval"
            r = call(server.base, "POST", "/v1/reports", lender, {"id": A, "purpose": purpose})
            assert r.status == 200, r
        assert server.stop() == 0, server.stderr()[-2000:]
        server = None
        rep = report(st, A, "L0001", "card_approval")
        got = rep["inquiries"]
        assert len(got) == INQUIRIES_MAX, len(got)
        assert got[0]["purpose"] == "guarantee", f"the newest inquiry is missing: {got[0]}"
        assert rep["inquiries_total"] == n and rep["inquiries_truncated"] is True, \
            (rep.get("inquiries_total"), rep.get("inquiries_truncated"))
        assert rep["exposure"]["inquiries_30d"]["value"] == n, rep["exposure"]["inquiries_30d"]
        alerts = json.loads(run("alerts", "list", "--db", st.db, "--institution", "B0001").stdout)
        assert [a["kind"] for a in alerts["alerts"]] == ["inquiries"], alerts
        text = run("report", "--db", st.db, "--id", A, "--as", "L0001", "--purpose",
                   "loan_approval", "--as-of", ASOF, "--format", "text").stdout
        assert f"Inquiries (last 2 years): {n + 1} (the newest listed)" in text, text[-400:]
    finally:
        if server:
            server.kill()
        st.close()


@test
def the_account_past_the_limit_is_refused_alone():
    st = Store("creditref-limit-accounts-")
    server = None
    try:
        # C has one account (API-C-B1); fill up to the limit at B0002.
        out, rejects = ingest(st, "many.jsonl", [account("B0002", f"MANY-{i:05d}", C)
                                                 for i in range(ACCOUNTS_MAX - 1)])
        assert f"accepted={ACCOUNTS_MAX - 1} rejected=0 " in out, out
        out, rejects = ingest(st, "more.jsonl", [
            account("B0001", "ONE-TOO-MANY", C),
            {"type": "statement", "institution": "B0001", "account": "API-C-B1", "month": "2026-04",
             "balance": 4000, "due": 500, "paid": 500, "overdue": 0, "dpd": 0, "status": "N"}])
        assert "accepted=1 rejected=1 " in out, out
        assert [(r["line"], r["field"]) for r in rejects] == [(1, "id")], rejects
        assert "1024 accounts" in rejects[0]["reason"], rejects
        # Every report about C answers, their own and a lender's.
        own = report(st, C, None, "self")
        assert len(own["accounts"]) == ACCOUNTS_MAX, len(own["accounts"])
        rep = report(st, C, "B0001", "post_loan")
        assert len(rep["accounts"]) == ACCOUNTS_MAX, len(rep["accounts"])
        # Over HTTP: the new account is rejected, the rest of the body applied.
        furnisher = issue(st.db, "furnisher", institution="B0001")
        server = Server(st.db)
        body = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in [
            account("B0001", "ONE-MORE", C),
            {"type": "event", "institution": "B0001", "account": "API-C-B1", "event_id": "c-1",
             "at": "2026-06-20T10:00:00+08:00", "kind": "drawdown", "amount": 1000}])
        r = call(server.base, "POST", "/v1/furnish", furnisher, body, ctype="application/x-ndjson")
        assert r.status == 200, r
        res = r.json()
        assert res["accepted"] == 1 and res["rejected"] == 1, res
        assert res["rejects"][0]["field"] == "id", res
        assert server.stop() == 0
        server = None
        doc = json.loads(run("supervision", "aggregates", "--db", st.db, "--month", "2026-06",
                             "--by", "product", "--as-of", ASOF).stdout)
        assert doc["cells"], doc
    finally:
        if server:
            server.kill()
        st.close()


@test
def every_dispute_is_read():
    """300 disputes of A: 299 on a month of B0001's account, then one on
    B0002's whole account, unanswered past its deadline, which hides it."""
    st = Store("creditref-limit-disputes-")
    server = None
    many = 299
    try:
        person = issue(st.db, "subject", pid=A)
        server = Server(st.db)
        for i in range(many):
            r = call(server.base, "POST", "/v1/me/disputes", person,
                     {"institution": "B0001", "account": "API-A-B1", "month": "2026-03",
                      "reason": f"wrong {i}"})
            assert r.status == 201, r
        r = call(server.base, "POST", "/v1/me/disputes", person,
                 {"institution": "B0002", "account": "API-A-B2", "reason": "not mine"})
        assert r.status == 201, r
        assert server.stop() == 0
        server = None
        rep = report(st, A, "L0001", "loan_approval", as_of="2026-07-25")
        insts = [a["institution"] for a in rep["accounts"]]
        assert insts == ["B0001"], f"the newest dispute hid nothing: {insts}"
        b1 = rep["accounts"][0]
        assert len(b1["disputes"]) == 8, len(b1["disputes"])
        assert b1["disputes_total"] == many and b1["disputes_truncated"] is True, b1
        own = report(st, A, None, "self", as_of="2026-07-25")
        b2 = [a for a in own["accounts"] if a["institution"] == "B0002"]
        assert b2 and b2[0]["disputes_total"] == 1 and b2[0]["disputes"][0]["month"] is None, b2
    finally:
        if server:
            server.kill()
        st.close()


if __name__ == "__main__":
    sys.exit(main("e2e-limits"))
