#!/usr/bin/env python3
"""End-to-end tests of retention (DESIGN.md rule 3): adverse information stops
appearing five years after the behaviour ended, in reports by --as-of and in
the store by purge.  Both sides of each boundary are checked."""
import json
import os
import shutil
import sys
import tempfile

from harness import CREDITREF, main, run, test
HERE = os.path.dirname(os.path.abspath(__file__))
PID = "11010519491231002X"


class Store:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-ret-")
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)
        src = os.path.join(self.dir, "retention.jsonl")
        shutil.copy(os.path.join(HERE, "fixtures", "retention.jsonl"), src)
        out = run("ingest", "--db", self.db, "--as-of", "2015-12-31", src).stdout
        assert out.strip().endswith("rejected=0 held=0 unchanged=0"), out

    def report(self, asof):
        out = run("report", "--db", self.db, "--id", PID, "--as", "L0001",
                  "--purpose", "loan_approval", "--as-of", asof).stdout
        r = json.loads(out)
        return r, {a["account"]: a for a in r["accounts"]}

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@test
def cured_episode_counts_until_five_years_after_the_cure():
    st = Store()
    try:
        # CURED-1 was overdue Feb-Mar 2015 and cured in April 2015; WO-2 was
        # written off in August 2015: both still shown on 2020-03-31.
        r, _ = st.report("2020-03-31")
        assert r["summary"]["accounts_ever_overdue"] == 2, r["summary"]
        r, _ = st.report("2020-04-01")
        assert r["summary"]["accounts_ever_overdue"] == 1, r["summary"]
    finally:
        st.close()


@test
def write_off_shows_until_five_years_after_it():
    st = Store()
    try:
        _, acc = st.report("2020-07-31")
        assert acc["WO-2"]["latest"]["status"] == "G", acc["WO-2"]
        assert acc["WO-2"]["latest"]["overdue"] == 150000
        r, acc = st.report("2020-08-01")
        assert acc["WO-2"]["latest"] is None, acc["WO-2"]
        assert r["summary"]["accounts_ever_overdue"] == 0, r["summary"]
        assert r["summary"]["total_overdue"] == 0
        # The cured account keeps its non-adverse months.
        assert acc["CURED-1"]["latest"]["month"] == "2015-04"
    finally:
        st.close()


@test
def purge_removes_physically_and_is_idempotent():
    st = Store()
    try:
        out = run("purge", "--db", st.db, "--as-of", "2020-03-31").stdout
        assert "removed_months=0" in out, out
        out = run("purge", "--db", st.db, "--as-of", "2020-04-01").stdout
        assert "purged_accounts=1 removed_months=2" in out, out
        out = run("purge", "--db", st.db, "--as-of", "2020-04-01").stdout
        assert "removed_months=0" in out, "purge must be idempotent: " + out
        months = int(dict(l.split("=") for l in run("stats", "--db", st.db).stdout.split()
                          if "=" in l)["account_months"])
        assert months == 7 - 2, months
        # Physically gone: even a report dated back in 2015 no longer sees it.
        r, acc = st.report("2015-12-31")
        assert r["summary"]["accounts_ever_overdue"] == 1, r["summary"]
        out = run("purge", "--db", st.db, "--as-of", "2020-08-01").stdout
        assert "removed_months=3" in out, out
        purges = [json.loads(l) for l in open(os.path.join(st.db, "audit.log"))
                  if json.loads(l)["action"] == "purge"]
        assert len(purges) == 4 and purges[1]["detail"] == "accounts=1 removed_months=2", purges
    finally:
        st.close()


if __name__ == "__main__":
    sys.exit(main("e2e-retention"))
