#!/usr/bin/env python3
"""Scores under the rules of a report (docs/scoring.md, "Scores"): a
lender's score needs the person's live query consent, is recorded as an
inquiry and audited, granted or refused; the person's own report carries the
score with its reasons; rescoring everyone writes one row per person with a
file, keyed by pseudonym, never by ID."""
import csv
import json
import os

from harness import main, run, test
from apiserver import ASOF, Store

A = "110105198001010016"   # query consents for L0001; accounts at B0001, B0002
B = "310104198506150023"   # query consents for L0002 only


def score(db, pid, inst, purpose, ok=True):
    args = ["score", "--db", db, "--id", pid, "--purpose", purpose, "--as-of", ASOF]
    if inst:
        args += ["--as", inst]
    return run(*args, ok=ok)


def audit_rows(db, pid):
    out = run("audit", "show", "--db", db, "--id", pid, "--as-of", ASOF).stdout
    return [l.split() for l in out.splitlines()[2:-1]]


def inquiries(db, pid):
    rep = json.loads(run("report", "--db", db, "--id", pid, "--purpose", "self",
                         "--as-of", ASOF).stdout)
    return [(q["institution"], q["purpose"]) for q in rep["inquiries"] if q["purpose"] != "self"]


@test
def a_granted_score_is_an_inquiry_and_an_audit_entry():
    st = Store("creditref-scores-")
    try:
        before = inquiries(st.db, A)
        s = json.loads(score(st.db, A, "L0001", "loan_approval").stdout)
        assert 350 <= s["score"] <= 950 and 0 < s["pd"] < 1, s
        assert s["model_id"] == "cr-default-1", s
        lost = [r["points_lost"] for r in s["reasons"]]
        assert len(lost) <= 4 and lost == sorted(lost, reverse=True), s
        assert all(r["reason"] and r["code"] for r in s["reasons"]), s
        after = inquiries(st.db, A)
        assert after.count(("L0001", "loan_approval")) == before.count(("L0001", "loan_approval")) + 1, after
        rows = [r for r in audit_rows(st.db, A) if "score" in r]
        assert len(rows) == 1 and "granted" in rows[0] and "L0001" in rows[0], rows
    finally:
        st.close()


@test
def a_score_without_consent_is_refused_audited_and_leaves_no_inquiry():
    st = Store("creditref-scores-")
    try:
        before = inquiries(st.db, B)
        p = score(st.db, B, "L0001", "loan_approval", ok=False)
        assert p.returncode == 3 and "refused" in p.stderr, (p.returncode, p.stderr)
        assert "score" not in p.stdout, p.stdout
        assert inquiries(st.db, B) == before
        rows = [r for r in audit_rows(st.db, B) if "score" in r]
        assert len(rows) == 1 and any(x.startswith("refused") for x in rows[0]), rows
    finally:
        st.close()


@test
def the_persons_own_report_shows_the_score_with_its_reasons():
    st = Store("creditref-scores-")
    try:
        rep = json.loads(run("report", "--db", st.db, "--id", A, "--purpose", "self",
                             "--as-of", ASOF).stdout)
        s = rep["score"]
        assert s and 350 <= s["score"] <= 950 and isinstance(s["reasons"], list), rep.get("score")
        same = json.loads(score(st.db, A, None, "self").stdout)
        assert same["score"] == s["score"] and same["reasons"] == s["reasons"], (same, s)
        text = run("report", "--db", st.db, "--id", A, "--purpose", "self", "--as-of", ASOF,
                   "--format", "text").stdout
        assert f"Score {s['score']} " in text, text
    finally:
        st.close()


@test
def rescoring_everyone_writes_pseudonyms_and_is_audited_once():
    st = Store("creditref-scores-")
    try:
        out = os.path.join(st.dir, "scores.csv")
        p = run("score", "--db", st.db, "--all", "--out", out, "--as-of", ASOF)
        assert "scored=" in p.stdout and "100%" in p.stderr, (p.stdout, p.stderr)
        with open(out, newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == ["subject", "score", "pd", "reason1", "reason2", "reason3", "reason4"]
        n = int(p.stdout.split("scored=")[1].split()[0])
        assert n == len(rows) - 1 and n >= 2, (n, len(rows))
        text = open(out).read()
        assert A not in text and B not in text, "an ID in the rescoring file"
        assert all(len(r[0]) == 32 and 350 <= int(r[1]) <= 950 for r in rows[1:]), rows[:3]
        log = open(os.path.join(st.db, "audit.log")).read()
        assert log.count('"action":"score_all"') == 1, log[-500:]
    finally:
        st.close()


if __name__ == "__main__":
    main("scores")
