#!/usr/bin/env python3
"""A person with more consent facts than the bureau reads for one decision
(CR_CONSENT_FACTS_MAX in src/common/cr_limits.h) and a revocation last.

The newest facts decide (consent.h), so the revocation refuses the report
over the CLI and over HTTP, a revoked furnish consent hides that furnisher's
accounts from other institutions, and the listings end with the revocation.  Before
the fix the oldest facts were read and the revocation was never seen."""
import datetime
import json
import os
import sys

from harness import main, run, test
from apiserver import ASOF, Server, Store, assert_problem, call, issue

A = "110105198001010016"   # fixtures/api.jsonl: accounts at B0001 and B0002
FACTS_MAX = 256            # CR_CONSENT_FACTS_MAX
GRANTS = 300               # more than FACTS_MAX, all older than the revocation
EXIT_DENIED = 3


def many_grants(st, inst, scope, purpose=None):
    """Ingests GRANTS grants by inst for A, one a day from 2025-01-01, each
    with its own evidence (so each is a fact of its own)."""
    path = os.path.join(st.dir, f"grants-{inst}-{scope}.jsonl")
    day = datetime.date(2025, 1, 1)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(GRANTS):
            r = {"type": "consent", "id": A, "institution": inst, "scope": scope,
                 "granted": (day + datetime.timedelta(days=i)).isoformat(),
                 "evidence": f"sha256:many-{i:04d}"}
            if purpose:
                r["purpose"] = purpose
            f.write(json.dumps(r) + "\n")
    out = run("ingest", "--db", st.db, "--as-of", ASOF, path).stdout
    assert f"accepted={GRANTS} rejected=0 " in out, out
    assert (day + datetime.timedelta(days=GRANTS)).isoformat() < ASOF


def revoke(st, inst, scope, purpose=None):
    args = ["consent", "revoke", "--db", st.db, "--id", A, "--institution", inst,
            "--scope", scope, "--as-of", ASOF]
    if purpose:
        args += ["--purpose", purpose]
    run(*args)


def report(st, inst, purpose, ok=True):
    args = ["report", "--db", st.db, "--id", A, "--purpose", purpose, "--as-of", ASOF]
    if inst:
        args += ["--as", inst]
    p = run(*args, ok=ok)
    return p, (json.loads(p.stdout) if p.returncode == 0 else None)


@test
def cli_report_refused_after_a_revocation_beyond_the_limit():
    st = Store("creditref-facts-")
    try:
        many_grants(st, "L0001", "query", "loan_approval")
        report(st, "L0001", "loan_approval")
        revoke(st, "L0001", "query", "loan_approval")
        p, _ = report(st, "L0001", "loan_approval", ok=False)
        assert p.returncode == EXIT_DENIED, f"a revoked consent must refuse: {p.returncode} {p.stderr}"
        assert "refused" in p.stderr and A not in p.stderr, p.stderr
        # Only the revoked purpose is refused: the newer card_approval grant holds.
        report(st, "L0001", "card_approval")
        listing = run("consent", "list", "--db", st.db, "--id", A,
                      "--institution", "L0001").stdout.splitlines()
        assert 0 < len(listing) <= FACTS_MAX, len(listing)
        assert listing[-1].split()[0] == "revoke" and ASOF in listing[-1], listing[-3:]
    finally:
        st.close()


@test
def api_report_refused_after_a_revocation_beyond_the_limit():
    st = Store("creditref-facts-api-")
    server = None
    try:
        many_grants(st, "L0001", "query", "loan_approval")
        revoke(st, "L0001", "query", "loan_approval")
        lender = issue(st.db, "lender", institution="L0001")
        server = Server(st.db)
        r = call(server.base, "POST", "/v1/reports", lender, {"id": A, "purpose": "loan_approval"})
        assert_problem(r, 403)
        r = call(server.base, "POST", "/v1/reports", lender, {"id": A, "purpose": "card_approval"})
        assert r.status == 200, r
        r = call(server.base, "POST", "/v1/consents/list", lender, {"id": A})
        assert r.status == 200, r
        facts = r.json()["consents"]
        assert 0 < len(facts) <= FACTS_MAX, len(facts)
        last = facts[-1]
        assert last["revoked"] == ASOF and last["purpose"] == "loan_approval", last
        assert server.stop() == 0
        server = None
    finally:
        if server:
            server.kill()
        st.close()


@test
def furnish_revocation_beyond_the_limit_hides_the_furnisher():
    st = Store("creditref-facts-furnish-")
    try:
        many_grants(st, "B0002", "furnish")
        # L0001 holds a query consent newer than every furnish grant.  Only
        # B0002's account is looked at: B0001's furnish grant is as old as
        # the oldest of B0002's and is left out with them (so B0001's
        # account is held, and no longer gives B0001 a post_loan report).
        _, rep = report(st, "L0001", "loan_approval")
        assert "B0002" in [a["institution"] for a in rep["accounts"]], rep["accounts"]
        revoke(st, "B0002", "furnish")
        _, rep = report(st, "L0001", "loan_approval")
        insts = [a["institution"] for a in rep["accounts"]]
        assert "B0002" not in insts, f"B0002 revoked its furnish consent: {insts}"
        _, own = report(st, None, "self")
        held = {a["institution"]: a["held"] for a in own["accounts"]}
        assert len(held) == 2 and held["B0002"] is True, f"revocation deletes nothing: {held}"
    finally:
        st.close()


if __name__ == "__main__":
    sys.exit(main("e2e-consent-facts"))
