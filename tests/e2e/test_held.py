#!/usr/bin/env python3
"""Held data changes nothing that others see and creates no relationship
(DESIGN.md rules 2 and 11; issue 14, defects 4 and 5).

A furnisher without a furnish consent from the person (L0002 in the API
fixture) sends an account line for them.  The line is held, and so is
everything it carries: its name, phone and address do not become the
person's identity in anyone's report, it makes a person the bureau knew
nothing about no file for institutions (report or score), it unlocks no
post_loan report for its furnisher and makes it no watcher of the person's
alerts, and it counts in no supervision aggregate.  When the consent
arrives the identity is released like the account, unless a newer one has
shown meanwhile.  Before the fix the held line's name replaced the person's
in every report, and the held account gave its furnisher post_loan reports
and alerts."""
import json
import os
import shutil
import sys
import tempfile

from harness import main, run, test
from apiserver import ASOF, Server, Store, assert_problem, call, issue

A = "110105198001010016"   # fixtures/api.jsonl: B0001, B0002 furnish; L0001 queries
D = "510107197511110044"   # fixtures/api.jsonl: only a query consent for L0001
A_NAME = "甲一"
HELD_NAME = "冒名顶替"
EXIT_DENIED, EXIT_NOTFOUND = 3, 4


def resident_id(first17):
    weight = [pow(2, 17 - i, 11) for i in range(17)]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weight)) % 11]


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


def shown(st, pid=A, inst="L0001", purpose="loan_approval", as_of=ASOF):
    """The name and the institutions a report to inst shows."""
    _, rep = report(st, pid, inst, purpose, as_of)
    return rep["subject"]["name"], sorted(a["institution"] for a in rep["accounts"])


def grant(st, pid, inst, as_of=ASOF):
    out = run("consent", "grant", "--db", st.db, "--id", pid, "--institution", inst,
              "--scope", "furnish", "--evidence", "sha256:late-" + inst, "--as-of", as_of).stdout
    return out


@test
def a_held_line_changes_no_identity_others_see():
    st = Store("creditref-held-ident-")
    server = None
    try:
        out = ingest(st, "held.jsonl", [account("L0002", "EVIL-1", A, HELD_NAME)])
        assert "held=1" in out, out
        assert shown(st) == (A_NAME, ["B0001", "B0002"]), shown(st)
        _, own = report(st, A, None, "self")
        assert own["subject"]["name"] == A_NAME and own["subject"]["held"] is False, own["subject"]
        assert {a["institution"]: a["held"] for a in own["accounts"]} == \
            {"B0001": False, "B0002": False, "L0002": True}, own["accounts"]
        text = run("report", "--db", st.db, "--id", A, "--as", "L0001", "--purpose",
                   "card_approval", "--as-of", ASOF, "--format", "text").stdout
        assert A_NAME in text and HELD_NAME not in text, text
        # The same over HTTP.
        lender = issue(st.db, "lender", institution="L0001")
        server = Server(st.db)
        r = call(server.base, "POST", "/v1/reports", lender, {"id": A, "purpose": "guarantee"})
        assert r.status == 200, r
        assert r.json()["subject"]["name"] == A_NAME, r.json()["subject"]
        assert HELD_NAME not in r.text(), r
        assert server.stop() == 0
        server = None
    finally:
        if server:
            server.kill()
        st.close()


@test
def a_person_known_only_from_held_data_has_no_file_for_institutions():
    st = Store("creditref-held-only-")
    try:
        out = ingest(st, "held.jsonl", [account("L0002", "EVIL-2", D, HELD_NAME)])
        assert "held=1" in out, out
        p, _ = report(st, D, "L0001", "loan_approval", ok=False)
        assert p.returncode == EXIT_NOTFOUND, f"held data made a file: {p.returncode} {p.stdout[:300]}"
        p = run("score", "--db", st.db, "--id", D, "--as", "L0001", "--purpose", "loan_approval",
                "--as-of", ASOF, ok=False)
        assert p.returncode == EXIT_NOTFOUND, f"held data made a score: {p.returncode} {p.stdout[:300]}"
        # The person sees what is held about them, marked.
        _, own = report(st, D, None, "self")
        assert own["subject"]["name"] == HELD_NAME and own["subject"]["held"] is True, own["subject"]
        assert [(a["institution"], a["held"]) for a in own["accounts"]] == [("L0002", True)], own
    finally:
        st.close()


@test
def a_held_identity_is_released_with_its_consent():
    st = Store("creditref-held-release-")
    try:
        ingest(st, "held.jsonl", [account("L0002", "EVIL-3", A, HELD_NAME)])
        assert shown(st)[0] == A_NAME
        assert "released=1" in grant(st, A, "L0002")
        assert shown(st) == (HELD_NAME, ["B0001", "B0002", "L0002"]), shown(st)
        _, own = report(st, A, None, "self")
        assert own["subject"]["name"] == HELD_NAME and own["subject"]["held"] is False, own
    finally:
        st.close()


@test
def a_newer_identity_that_shows_outweighs_an_older_held_one():
    st = Store("creditref-held-newer-")
    try:
        ingest(st, "held.jsonl", [account("L0002", "EVIL-4", A, HELD_NAME)])
        out = ingest(st, "newer.jsonl", [account("B0001", "API-A-B1-2", A, "甲一新")])
        assert "accepted=1" in out, out
        assert shown(st)[0] == "甲一新"
        grant(st, A, "L0002")
        assert shown(st) == ("甲一新", ["B0001", "B0001", "B0002", "L0002"]), shown(st)
    finally:
        st.close()


@test
def a_held_identity_shows_exactly_when_its_account_does():
    """A furnish consent that was live only in the past releases nothing
    now; a report as of a day it was live shows the account and the name
    it came with, as it shows held accounts by their consent's dates."""
    st = Store("creditref-held-asof-")
    try:
        ingest(st, "held.jsonl", [account("L0002", "EVIL-5", A, HELD_NAME, opened="2025-12-01")])
        out = ingest(st, "past.jsonl", [
            {"type": "consent", "id": A, "institution": "L0002", "scope": "furnish",
             "granted": "2026-01-01", "expires": "2026-03-01", "evidence": "sha256:past"}])
        assert "accepted=1" in out, out
        assert shown(st) == (A_NAME, ["B0001", "B0002"]), shown(st)
        assert shown(st, as_of="2026-02-15") == (HELD_NAME, ["B0001", "B0002", "L0002"]), \
            shown(st, as_of="2026-02-15")
    finally:
        st.close()


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


class Empty:
    """A new store with the fixture's institutions only."""

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)
        ingest(self, "inst.jsonl", [
            {"type": "institution", "code": c, "name": c, "kind": "bank"}
            for c in ("B0001", "B0002", "L0002")])

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@test
def held_accounts_count_in_no_supervision_aggregate():
    """12 people with consented accounts at each of B0001 and B0002, 12
    with held accounts at L0002: L0002 has no cell, and the market's
    revolving accounts are the 24 others see."""
    st = Empty("creditref-held-sup-")
    try:
        recs = []
        for n, inst in enumerate(("B0001", "B0002", "L0002")):
            for i in range(12):
                pid = resident_id(f"110101199001{n + 1:02d}{i:03d}")
                if inst != "L0002":
                    recs.append({"type": "consent", "id": pid, "institution": inst,
                                 "scope": "furnish", "granted": "2026-01-01",
                                 "evidence": "sha256:sup"})
                recs.append(account(inst, f"SUP-{inst}-{i}", pid, "某", opened="2026-05-01"))
        out = ingest(st, "sup.jsonl", recs)
        assert "accepted=48 rejected=0 held=12 " in out, out

        def cells(by):
            doc = json.loads(run("supervision", "aggregates", "--db", st.db, "--month",
                                 "2026-06", "--by", by, "--as-of", ASOF).stdout)
            return {c["key"]: c for c in doc["cells"]}
        got = cells("institution")
        assert "L0002" not in got, f"held accounts made a cell: {got.get('L0002')}"
        assert got["B0001"]["borrowers"] == got["B0002"]["borrowers"] == 12, got
        got = cells("product")
        assert got["revolving"]["borrowers"] == 24, got
    finally:
        st.close()


if __name__ == "__main__":
    sys.exit(main("e2e-held"))
