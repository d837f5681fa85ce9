#!/usr/bin/env python3
"""End-to-end tests of disputes: filing, annotation, the 20-day rule on both
sides of the boundary, answers by the furnisher only, corrections that keep
the previous value, and each party's list."""
import json
import os
import shutil
import sys
import tempfile

from harness import CREDITREF, main, run, test
HERE = os.path.dirname(os.path.abspath(__file__))
PID = "11010519491231002X"
FILED = "2026-06-01"


class Store:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-disp-")
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)
        src = os.path.join(self.dir, "small.jsonl")
        shutil.copy(os.path.join(HERE, "fixtures", "small.jsonl"), src)
        run("ingest", "--db", self.db, "--as-of", "2026-05-01", src)
        for inst, scope, purpose in (("P0001", "furnish", None), ("L0001", "query", "loan_approval")):
            args = ["consent", "grant", "--db", self.db, "--id", PID, "--institution", inst,
                    "--scope", scope, "--as-of", "2026-05-01"]
            run(*(args + (["--purpose", purpose] if purpose else [])))

    def file(self, *extra):
        out = run("dispute", "file", "--db", self.db, "--id", PID, "--as-of", FILED, *extra).stdout
        return int(out.split()[1])

    def lender(self, asof):
        r = json.loads(run("report", "--db", self.db, "--id", PID, "--as", "L0001",
                           "--purpose", "loan_approval", "--as-of", asof).stdout)
        return {a["account"]: a for a in r["accounts"]}

    def own(self, asof):
        r = json.loads(run("report", "--db", self.db, "--id", PID, "--purpose", "self",
                           "--as-of", asof).stdout)
        return {a["account"]: a for a in r["accounts"]}

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@test
def disputed_month_is_annotated_then_hidden_from_day_20():
    st = Store()
    try:
        d = st.file("--institution", "B0001", "--account", "HB-0001", "--month", "2021-03",
                    "--reason", "I paid on time")
        acc = st.lender("2026-06-20")  # day 19: still shown, annotated
        assert acc["HB-0001"]["latest"]["month"] == "2021-03", acc["HB-0001"]
        assert acc["HB-0001"]["disputes"] == [{"id": d, "month": "2021-03", "filed": FILED,
                                               "status": "open"}]
        acc = st.lender("2026-06-21")  # day 20: the unanswered month is hidden
        # 2021-02 was overdue, cured in 2021-03: past five-year retention by
        # 2026, so the latest month left to show is 2021-01.
        assert acc["HB-0001"]["latest"]["month"] == "2021-01", acc["HB-0001"]
        own = st.own("2026-06-21")  # the person still sees it
        assert own["HB-0001"]["latest"]["month"] == "2021-03"
        run("dispute", "resolve", str(d), "--db", st.db, "--as", "B0001", "--verified",
            "--as-of", "2026-06-25")
        acc = st.lender("2026-06-26")
        assert acc["HB-0001"]["latest"]["month"] == "2021-03"
        assert acc["HB-0001"]["disputes"][0]["status"] == "verified"
        acc = st.lender("2026-06-22")  # as of a day before the answer, it was hidden
        assert acc["HB-0001"]["latest"]["month"] == "2021-01"
        actions = [json.loads(l)["action"] for l in open(os.path.join(st.db, "audit.log"))]
        assert actions.count("dispute_file") == 1 and actions.count("dispute_verify") == 1, actions
        assert "chain intact" in run("audit", "verify", "--db", st.db).stdout
    finally:
        st.close()


@test
def whole_account_dispute_hides_the_account_from_day_20():
    st = Store()
    try:
        st.file("--institution", "P0001", "--account", "P-77", "--reason", "not my loan")
        assert "P-77" in st.lender("2026-06-20")
        assert "P-77" not in st.lender("2026-06-21")
        assert "P-77" in st.own("2026-06-21")
    finally:
        st.close()


@test
def only_the_furnisher_answers_and_corrections_keep_the_old_value():
    st = Store()
    try:
        d = st.file("--institution", "B0001", "--account", "HB-0001", "--month", "2021-02",
                    "--reason", "the overdue mark is wrong")
        p = run("dispute", "resolve", str(d), "--db", st.db, "--as", "P0001", "--verified", ok=False)
        assert p.returncode == 3, p
        fixed = ('{"type":"statement","institution":"B0001","account":"HB-0001","month":"2021-02",'
                 '"balance":52000,"due":5000,"paid":5000,"overdue":0,"dpd":0,"status":"N"}')
        wrong_month = fixed.replace("2021-02", "2021-01")
        p = run("dispute", "resolve", str(d), "--db", st.db, "--as", "B0001", "--corrected",
                "--statement", wrong_month, "--as-of", "2026-06-10", ok=False)
        assert p.returncode == 2 and "another month" in p.stderr, p.stderr
        run("dispute", "resolve", str(d), "--db", st.db, "--as", "B0001", "--corrected",
            "--statement", fixed, "--as-of", "2026-06-10")
        own = st.own("2026-06-30")["HB-0001"]
        assert own["revisions"] == [{"month": "2021-02", "dispute": d, "date": "2026-06-10",
                                     "previous": {"status": "1", "dpd": 20, "balance": 52000,
                                                  "due": 5000, "paid": 0, "overdue": 5000}}], own
        r = json.loads(run("report", "--db", st.db, "--id", PID, "--as", "L0001", "--purpose",
                           "loan_approval", "--as-of", "2026-06-30").stdout)
        assert r["summary"]["accounts_ever_overdue"] == 0, r["summary"]
        p = run("dispute", "resolve", str(d), "--db", st.db, "--as", "B0001", "--verified", ok=False)
        assert p.returncode != 0 and "already" in p.stderr
    finally:
        st.close()


@test
def each_party_lists_its_disputes_and_strangers_cannot_file():
    st = Store()
    try:
        st.file("--institution", "B0001", "--account", "HB-0001", "--reason", "a")
        st.file("--institution", "P0001", "--account", "P-77", "--reason", "b")
        mine = run("dispute", "list", "--db", st.db, "--id", PID).stdout.strip().splitlines()
        assert len(mine) == 2, mine
        b = run("dispute", "list", "--db", st.db, "--institution", "B0001").stdout.strip().splitlines()
        assert len(b) == 1 and "HB-0001" in b[0], b
        p = run("dispute", "file", "--db", st.db, "--id", "110101199003074477", "--institution",
                "B0001", "--account", "HB-0001", "--reason", "x", ok=False)
        assert p.returncode == 4, "a stranger must not dispute someone else's account"
        p = run("dispute", "file", "--db", st.db, "--id", PID, "--institution", "B0001",
                "--account", "HB-0001", "--month", "2019-01", "--reason", "x", ok=False)
        assert p.returncode == 4 and "no statement" in p.stderr, p.stderr
    finally:
        st.close()


if __name__ == "__main__":
    sys.exit(main("e2e-disputes"))
