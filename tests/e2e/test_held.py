#!/usr/bin/env python3
"""Held data creates no relationship (DESIGN.md rule 11; issue 14, defect 5).

A furnisher without a furnish consent from the person (L0002 in the API
fixture) sends an open account for them.  The account is held: it unlocks
no post_loan report or score for its furnisher, and makes it no watcher of
the person's alerts.  Only an account others see is an existing
relationship.  Before the fix the held account gave its furnisher post_loan
reports and alerts."""
import json
import os
import sys

from harness import main, run, test
from apiserver import ASOF, Server, Store, assert_problem, call, issue

A = "110105198001010016"   # fixtures/api.jsonl: B0001, B0002 furnish; L0001 queries
A_NAME = "甲一"
EXIT_DENIED = 3


def ingest(st, name, recs, as_of=ASOF):
    path = os.path.join(st.dir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    return run("ingest", "--db", st.db, "--as-of", as_of, path).stdout


def account(inst, acct, pid, name, opened="2026-06-01", **extra):
    r = {"type": "account", "institution": inst, "account": acct, "id": pid, "name": name,
         "phone": "13900000000", "address": "某地某路 1 号", "product": "revolving",
         "opened": opened, "credit_limit": 100000}
    r.update(extra)
    return r


def report(st, pid, inst, purpose, as_of=ASOF, ok=True):
    args = ["report", "--db", st.db, "--id", pid, "--purpose", purpose, "--as-of", as_of]
    if inst:
        args += ["--as", inst]
    p = run(*args, ok=ok)
    return p, (json.loads(p.stdout) if p.returncode == 0 else None)


def grant(st, pid, inst, as_of=ASOF):
    out = run("consent", "grant", "--db", st.db, "--id", pid, "--institution", inst,
              "--scope", "furnish", "--evidence", "sha256:late-" + inst, "--as-of", as_of).stdout
    return out


@test
def a_held_account_unlocks_no_post_loan_report():
    st = Store("creditref-held-postloan-")
    server = None
    try:
        ingest(st, "held.jsonl", [account("L0002", "EVIL-6", A, A_NAME)])
        p, _ = report(st, A, "L0002", "post_loan", ok=False)
        assert p.returncode == EXIT_DENIED, f"a held account unlocked post_loan: {p.returncode}"
        assert "held" in p.stderr and A not in p.stderr, p.stderr
        p = run("score", "--db", st.db, "--id", A, "--as", "L0002", "--purpose", "post_loan",
                "--as-of", ASOF, ok=False)
        assert p.returncode == EXIT_DENIED, f"a held account unlocked a post_loan score: {p.returncode}"
        lender = issue(st.db, "lender", institution="L0002")
        server = Server(st.db)
        r = call(server.base, "POST", "/v1/reports", lender, {"id": A, "purpose": "post_loan"})
        assert_problem(r, 403)
        assert server.stop() == 0
        server = None
        # Once the consent arrives the account is a relationship.
        grant(st, A, "L0002")
        report(st, A, "L0002", "post_loan")
        # B0001's open account, visible, is one all along.
        report(st, A, "B0001", "post_loan")
    finally:
        if server:
            server.kill()
        st.close()


def alerts(st, inst):
    out = run("alerts", "list", "--db", st.db, "--institution", inst).stdout
    return [a["kind"] for a in json.loads(out)["alerts"]]


@test
def a_held_account_makes_no_alert_watcher():
    st = Store("creditref-held-alerts-")
    try:
        ingest(st, "held.jsonl", [account("L0002", "EVIL-7", A, A_NAME)])
        out = ingest(st, "new.jsonl", [account("B0002", "API-A-B2-NEW", A, A_NAME,
                                               opened="2026-06-20")])
        assert "accepted=1" in out, out
        assert "new_account" in alerts(st, "B0001"), alerts(st, "B0001")
        assert alerts(st, "L0002") == [], "a held account made its furnisher a watcher"
        for purpose in ("loan_approval", "card_approval", "guarantee"):
            report(st, A, "L0001", purpose)
        assert "inquiries" in alerts(st, "B0001"), alerts(st, "B0001")
        assert alerts(st, "L0002") == [], "a held account made its furnisher a watcher"
    finally:
        st.close()


if __name__ == "__main__":
    sys.exit(main("e2e-held"))
