#!/usr/bin/env python3
"""One act, the same on both paths: the CLI and the HTTP API run the same
operation (src/ops/), with the same rules and the same audit entry.

- a query consent revoked without a purpose withdraws every purpose, from
  the CLI and over HTTP alike;
- a consent refused for naming an unknown institution is refused, and
  audited as refused, on both paths;
- a dispute with an empty reason is refused on both paths."""
from harness import main, run, test
from apiserver import ASOF, Server, Store, assert_problem, call, issue

A = "110105198001010016"   # query consents for L0001: loan_approval, guarantee, card_approval
B = "310104198506150023"   # query consents for L0002: loan_approval, guarantee, card_approval
PURPOSES = ("loan_approval", "guarantee", "card_approval")


def report(db, pid, inst, purpose):
    return run("report", "--db", db, "--id", pid, "--as", inst, "--purpose", purpose,
               "--as-of", ASOF, ok=False)


def audit_rows(db, pid):
    out = run("audit", "show", "--db", db, "--id", pid, "--as-of", ASOF).stdout
    return [l.split() for l in out.splitlines()[2:-1]]


@test
def a_revocation_without_purpose_withdraws_every_purpose_on_both_paths():
    st = Store("creditref-ops-")
    try:
        for pid, inst in ((A, "L0001"), (B, "L0002")):
            for p in PURPOSES:
                assert report(st.db, pid, inst, p).returncode == 0, (pid, inst, p)
        # CLI: the operator revokes A's consent to L0001, no purpose named.
        run("consent", "revoke", "--db", st.db, "--id", A, "--institution", "L0001",
            "--scope", "query", "--as-of", ASOF)
        # HTTP: the person B revokes theirs to L0002, no purpose named.
        key = issue(st.db, "subject", pid=B)
        s = Server(st.db, "--rate-limit", "0")
        try:
            r = call(s.base, "POST", "/v1/consents/revoke", key,
                     body={"id": B, "institution": "L0002", "scope": "query"})
            assert r.status == 200, r
            assert r.json()["outcome"] == "recorded", r
        finally:
            assert s.stop() == 0
        for pid, inst in ((A, "L0001"), (B, "L0002")):
            for p in PURPOSES:
                p_ = report(st.db, pid, inst, p)
                assert p_.returncode == 3, (pid, inst, p, p_.stdout, p_.stderr)
    finally:
        st.close()


@test
def an_unknown_institution_is_refused_and_audited_on_both_paths():
    st = Store("creditref-ops-")
    try:
        p = run("consent", "grant", "--db", st.db, "--id", A, "--institution", "Z9999",
                "--scope", "query", "--purpose", "loan_approval", "--as-of", ASOF, ok=False)
        assert p.returncode == 4, (p.stdout, p.stderr)
        key = issue(st.db, "subject", pid=A)
        s = Server(st.db, "--rate-limit", "0")
        try:
            r = call(s.base, "POST", "/v1/consents", key,
                     body={"id": A, "institution": "Z9999", "scope": "query",
                           "purpose": "loan_approval", "granted": ASOF})
            assert r.status == 400, r
            rej = r.json()["rejects"]
            assert rej and rej[0]["field"] == "institution", r
        finally:
            assert s.stop() == 0
        refused = [row for row in audit_rows(st.db, A)
                   if "consent_grant" in row and "refused:" in row]
        assert len(refused) == 2, audit_rows(st.db, A)
    finally:
        st.close()


@test
def an_empty_dispute_reason_is_refused_on_both_paths():
    st = Store("creditref-ops-")
    try:
        p = run("dispute", "file", "--db", st.db, "--id", A, "--institution", "B0001",
                "--account", "API-A-B1", "--reason", "", "--as-of", ASOF, ok=False)
        assert p.returncode == 2 and "reason" in p.stderr, (p.returncode, p.stderr)
        key = issue(st.db, "subject", pid=A)
        s = Server(st.db, "--rate-limit", "0")
        try:
            r = call(s.base, "POST", "/v1/me/disputes", key,
                     body={"institution": "B0001", "account": "API-A-B1", "reason": ""})
            assert_problem(r, 400)
            assert "reason" in r.json()["detail"], r
        finally:
            assert s.stop() == 0
    finally:
        st.close()


if __name__ == "__main__":
    main("ops")
