#!/usr/bin/env python3
"""End-to-end tests: the creditref binary against real stores in temp dirs.

Expectations are computed from the input files by this script (never
hard-coded outputs): the generated file is read back and every account and
month of a sample of people is compared with the report the CLI prints.
"""
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

from harness import CREDITREF, main, run, test
# The binary itself, not the logging wrapper, for tests that signal it.
CREDITREF_REAL = os.environ.get("CREDITREF_REAL", CREDITREF)
HERE = os.path.dirname(os.path.abspath(__file__))
ASOF = "2026-06-30"
ASOF_MONTH = 2026 * 12 + 5
EXIT_DENIED, EXIT_NOTFOUND = 3, 4
STATUSES = "N1234567CGDZ*#"


def counts(stdout):
    last = stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"submitted=(\d+) accepted=(\d+) rejected=(\d+) held=(\d+) unchanged=(\d+)", last)
    assert m, f"last line is not the counts line: {last!r}"
    return dict(zip(["submitted", "accepted", "rejected", "held", "unchanged"], map(int, m.groups())))


def month_index(s):
    return int(s[:4]) * 12 + int(s[5:7]) - 1


ADVERSE = set("1234567GDZ")


def retained(stmts, asof_month):
    """Statements minus adverse months past five years (retention.h): an
    adverse run ends at the next N or C, or at its last G/D/Z; its adverse
    months vanish from the month ending + 60 on."""
    months = sorted(stmts)
    out = dict(stmts)
    i = 0
    while i < len(months):
        if stmts[months[i]] not in ADVERSE:
            i += 1
            continue
        j, last = i, i
        while j < len(months) and stmts[months[j]] not in ("N", "C"):
            if stmts[months[j]] in ADVERSE:
                last = j
            j += 1
        if j < len(months):
            end = months[j]
        elif stmts[months[last]] in ("G", "D", "Z"):
            end = months[last]
        else:
            end = None
        if end is not None and asof_month >= end + 60:
            for m in months[i:j]:
                if stmts[m] in ADVERSE:
                    del out[m]
        i = max(j, i + 1)
    return out


def expected_grid(opened, stmts, asof_month=ASOF_MONTH):
    """The report's 60-month grid, from the furnished statements (report.h)."""
    stmts = retained(stmts, asof_month)
    first = asof_month - 59
    grid, ended = [], False
    for m in range(month_index(opened[:7]), asof_month + 1):
        s = stmts.get(m)
        if m >= first:
            grid.append(s if s else ("*" if ended else "#"))
        if s in ("C", "G", "Z"):
            ended = True
    pad = 60 - len(grid)
    return "/" * pad + "".join(grid[-60:]) if pad > 0 else "".join(grid[-60:])


class Store:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-e2e-")
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)

    def ingest(self, path, *extra):
        return run("ingest", "--db", self.db, "--as-of", ASOF, *extra, path)

    def report(self, id_, inst, purpose, ok=True, asof=ASOF):
        args = ["report", "--db", self.db, "--id", id_, "--purpose", purpose, "--as-of", asof]
        if inst:
            args += ["--as", inst]
        p = run(*args, ok=ok)
        return p, (json.loads(p.stdout) if p.returncode == 0 else None)

    def consent(self, verb, id_, inst, scope, purpose=None, asof=ASOF):
        args = ["consent", verb, "--db", self.db, "--id", id_, "--institution", inst,
                "--scope", scope, "--as-of", asof]
        if purpose:
            args += ["--purpose", purpose]
        return run(*args)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def parse_generated(path):
    """People, accounts and statements as the generated file states them."""
    accounts, people, furnish, lines = {}, {}, set(), 0
    with open(path, "rb") as f:
        for raw in f:
            lines += 1
            try:
                r = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                continue
            if not isinstance(r, dict):
                continue
            t = r.get("type")
            if t == "consent" and r.get("scope") == "furnish" and "revoked" not in r:
                furnish.add((r["id"].upper(), r["institution"]))
            elif t == "account":
                key = (r["institution"], r["account"])
                if key not in accounts:
                    accounts[key] = {"rec": r, "stmts": {}}
                    people.setdefault(r["id"].upper(), []).append(key)
            elif t == "statement":
                key = (r.get("institution"), r.get("account"))
                if key in accounts and isinstance(r.get("month"), str):
                    accounts[key]["stmts"][month_index(r["month"])] = r
    return accounts, people, furnish, lines


class Generated:
    """One generated data set shared by the tests that need it."""
    path = None
    manifest = None
    tmp = None

    @classmethod
    def get(cls):
        if cls.path is None:
            cls.tmp = tempfile.mkdtemp(prefix="creditref-gen-")
            cls.path = os.path.join(cls.tmp, "g.jsonl")
            cls.manifest = os.path.join(cls.tmp, "bad.jsonl")
            run("gen", "--subjects", "3000", "--seed", "7", "--consent-rate", "0.6",
                "--bad-rate", "0.01", "--months", "72", "--as-of", ASOF,
                "--out", cls.path, "--bad-manifest", cls.manifest)
        return cls


def bad_lines(manifest):
    """Line numbers the generator made invalid, and the field to be named."""
    out = {}
    with open(manifest) as f:
        for raw in f:
            m = json.loads(raw)
            out[m["line"]] = m
    return out


@test
def small_fixture_counts_and_rejects():
    st = Store()
    try:
        path = os.path.join(st.dir, "small.jsonl")
        shutil.copy(os.path.join(HERE, "fixtures", "small.jsonl"), path)
        c = counts(st.ingest(path).stdout)
        assert c == {"submitted": 18, "accepted": 8, "rejected": 7, "held": 3, "unchanged": 0}, c
        rejects = [json.loads(l) for l in open(path + ".rejects.jsonl")]
        got = [(r["line"], r["field"]) for r in rejects]
        assert got == [(12, "balance"), (13, "status"), (14, "account"), (15, "account"),
                       (16, "id"), (17, ""), (18, "colour")], got
        assert rejects[0]["reason"] == "amounts are integers in minor units", rejects[0]
        src = open(path).read().splitlines()
        for r in rejects:
            assert r["record"] == src[r["line"] - 1], r
        assert oct(os.stat(path + ".rejects.jsonl").st_mode & 0o777) == "0o600"
    finally:
        st.close()


@test
def held_data_released_by_consent_and_hidden_by_revocation():
    st = Store()
    try:
        path = os.path.join(st.dir, "small.jsonl")
        shutil.copy(os.path.join(HERE, "fixtures", "small.jsonl"), path)
        st.ingest(path)
        pid = "11010519491231002X"
        st.consent("grant", pid, "L0001", "query", "loan_approval")
        _, rep = st.report(pid, "L0001", "loan_approval")
        insts = sorted(a["institution"] for a in rep["accounts"])
        assert insts == ["B0001"], f"held P0001 data must not show: {insts}"
        _, own = st.report(pid, None, "self")
        held = {a["institution"]: a["held"] for a in own["accounts"]}
        assert held == {"B0001": False, "P0001": True}, held
        out = st.consent("grant", pid, "P0001", "furnish").stdout
        assert "released=3" in out, out
        _, rep = st.report(pid, "L0001", "loan_approval")
        insts = sorted(a["institution"] for a in rep["accounts"])
        assert insts == ["B0001", "P0001"], insts
        st.consent("revoke", pid, "P0001", "furnish")
        _, rep = st.report(pid, "L0001", "loan_approval")
        assert sorted(a["institution"] for a in rep["accounts"]) == ["B0001"]
        _, own = st.report(pid, None, "self")
        assert len(own["accounts"]) == 2, "revocation must delete nothing"
    finally:
        st.close()


@test
def refusals_record_no_inquiry_and_revocation_is_immediate():
    st = Store()
    try:
        path = os.path.join(st.dir, "small.jsonl")
        shutil.copy(os.path.join(HERE, "fixtures", "small.jsonl"), path)
        st.ingest(path)
        pid = "11010519491231002X"
        p, _ = st.report(pid, "L0001", "loan_approval", ok=False)
        assert p.returncode == EXIT_DENIED, p
        assert "refused" in p.stderr and pid not in p.stderr, p.stderr
        p, _ = st.report(pid, "L0001", "post_loan", ok=False)
        assert p.returncode == EXIT_DENIED, "L0001 holds no account: post_loan refused"
        _, own = st.report(pid, None, "self")
        assert own["inquiries"] == [], f"refused reports left inquiries: {own['inquiries']}"
        _, rep = st.report(pid, "B0001", "post_loan")
        assert rep["report"]["requested_by"] == "B0001"
        st.consent("grant", pid, "L0001", "query", "card_approval")
        p, _ = st.report(pid, "L0001", "loan_approval", ok=False)
        assert p.returncode == EXIT_DENIED, "a card_approval consent is not a loan_approval one"
        st.consent("grant", pid, "L0001", "query", "loan_approval")
        st.report(pid, "L0001", "loan_approval")
        st.consent("revoke", pid, "L0001", "query", "loan_approval")
        p, _ = st.report(pid, "L0001", "loan_approval", ok=False)
        assert p.returncode == EXIT_DENIED, "revocation must take effect at once"
        _, own = st.report(pid, None, "self")
        seen = [(q["institution"], q["purpose"]) for q in own["inquiries"]]
        assert sorted(seen) == sorted([("", "self"), ("B0001", "post_loan"),
                                       ("L0001", "loan_approval")]), seen
        listing = run("consent", "list", "--db", st.db, "--id", pid).stdout
        kinds = [l.split()[0] for l in listing.splitlines()]
        assert kinds.count("revoke") == 1 and kinds.count("grant") == 3, listing
    finally:
        st.close()


@test
def self_reports_free_twice_a_year():
    st = Store()
    try:
        path = os.path.join(st.dir, "small.jsonl")
        shutil.copy(os.path.join(HERE, "fixtures", "small.jsonl"), path)
        st.ingest(path)
        pid = "11010519491231002x"
        for _ in range(3):
            st.report(pid, None, "self")
        _, own = st.report(pid, None, "self")
        flags = [q["chargeable"] for q in own["inquiries"]]
        assert sorted(flags) == [False, False, True], flags
    finally:
        st.close()


@test
def unknown_subject_and_bad_arguments():
    st = Store()
    try:
        p, _ = st.report("110101199003074477", None, "self", ok=False)
        assert p.returncode == EXIT_NOTFOUND, p
        p = run("report", "--db", st.db, "--id", "110101199003074478", "--purpose", "self", ok=False)
        assert p.returncode == 2 and "check character" in p.stderr, p.stderr
        assert "110101199003074478" not in p.stderr, "IDs are masked in errors"
        p = run("report", "--db", st.db, "--bogus", "1", ok=False)
        assert p.returncode == 2 and "--bogus" in p.stderr
        p = run("ingest", "--db", os.path.join(st.dir, "nope"), "x", ok=False)
        assert p.returncode == 1 and "creditref init" in p.stderr
        for cmd in ["init", "gen", "ingest", "consent", "report", "stats"]:
            assert "usage:" in run("help", cmd).stdout
    finally:
        st.close()


@test
def generated_counts_reconcile_and_rejects_match_manifest():
    g = Generated.get()
    st = Store()
    try:
        out = st.ingest(g.path).stdout
        c = counts(out)
        _, _, _, lines = parse_generated(g.path)
        assert c["submitted"] == lines, (c, lines)
        assert c["submitted"] == c["accepted"] + c["rejected"] + c["held"] + c["unchanged"], c
        assert c["held"] > 0 and c["accepted"] > 0, c
        bad = bad_lines(g.manifest)
        rejects = {}
        for l in open(g.path + ".rejects.jsonl"):
            r = json.loads(l)
            rejects[r["line"]] = r
        assert set(rejects) == set(bad), (sorted(set(rejects) ^ set(bad)))[:10]
        for line, m in bad.items():
            assert rejects[line]["field"] == m["field"], (line, m, rejects[line])
        assert c["rejected"] == len(bad)
        again = counts(st.ingest(g.path).stdout)
        assert again == {"submitted": lines, "accepted": 0, "rejected": len(bad),
                         "held": 0, "unchanged": lines - len(bad)}, again
    finally:
        st.close()


@test
def generated_reports_match_the_file():
    g = Generated.get()
    st = Store()
    try:
        st.ingest(g.path)
        accounts, people, furnish, _ = parse_generated(g.path)
        bad = bad_lines(g.manifest)
        rng = random.Random(11)
        sample = rng.sample(sorted(people), 40)
        checked = 0
        for pid in sample:
            _, own = st.report(pid, None, "self")
            want = {}
            for key in people[pid]:
                acc = accounts[key]
                if acc["rec"]["opened"] > ASOF:
                    continue
                stm = {m: s["status"] for m, s in acc["stmts"].items() if m <= ASOF_MONTH}
                want[key] = expected_grid(acc["rec"]["opened"], stm)
            got = {(a["institution"], a["account"]): a for a in own["accounts"]}
            assert set(got) == set(want), (pid[:6], sorted(set(got) ^ set(want)))
            for key, grid in want.items():
                assert got[key]["grid"] == grid, (key, got[key]["grid"], grid)
                assert got[key]["held"] == ((pid, key[0]) not in furnish), key
                full = {m: s for m, s in accounts[key]["stmts"].items() if m <= ASOF_MONTH}
                stm = {m: full[m] for m in retained({m: s["status"] for m, s in full.items()}, ASOF_MONTH)}
                if stm:
                    last = stm[max(stm)]
                    for f in ("balance", "due", "paid", "overdue", "dpd", "status"):
                        assert got[key]["latest"][f] == last[f], (key, f)
                checked += 1
        assert checked >= 40, checked
    finally:
        st.close()


@test
def lender_report_shows_only_consented_furnishers():
    g = Generated.get()
    st = Store()
    try:
        st.ingest(g.path)
        accounts, people, furnish, _ = parse_generated(g.path)
        lender = sorted({k[0] for k in accounts})[0]
        consenting = [p for p in sorted(people) if any((p, k[0]) in furnish for k in people[p])]
        for pid in consenting[:15]:
            st.consent("grant", pid, lender, "query", "loan_approval")
            _, rep = st.report(pid, lender, "loan_approval")
            want = sorted(k for k in people[pid] if (pid, k[0]) in furnish
                          and accounts[k]["rec"]["opened"] <= ASOF)
            got = sorted((a["institution"], a["account"]) for a in rep["accounts"])
            assert got == want, (got, want)
            assert rep["subject"]["id"] == pid[:6] + "*" * 8 + pid[14:], rep["subject"]
            assert "held" not in json.dumps(rep["accounts"])
            s = rep["summary"]
            assert s["accounts"] == len(want)
            assert s["total_balance"] == sum(a["latest"]["balance"] for a in rep["accounts"] if a["latest"])
    finally:
        st.close()


def stats(db):
    out = run("stats", "--db", db).stdout
    return dict(l.split("=", 1) for l in out.split() if "=" in l)


@test
def kill_during_ingest_loses_nothing_acknowledged():
    """kill -9 in the middle of an ingest, then re-ingest: the store must open,
    and end up exactly as a clean ingest of the same file leaves it."""
    import time
    g = Generated.get()
    clean, crashed = Store(), Store()
    try:
        clean.ingest(g.path)
        for delay in (0.05, 0.2):
            p = subprocess.Popen([CREDITREF_REAL, "ingest", "--db", crashed.db, "--as-of", ASOF, g.path],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.kill()
            p.wait()
            stats(crashed.db)  # the store opens after the crash
        c = counts(crashed.ingest(g.path).stdout)
        assert c["submitted"] == c["accepted"] + c["rejected"] + c["held"] + c["unchanged"], c
        want, got = stats(clean.db), stats(crashed.db)
        for k in ("institutions", "subjects", "accounts", "account_months", "consents", "held_records"):
            assert want[k] == got[k], (k, want[k], got[k])
    finally:
        clean.close()
        crashed.close()


def cleanup():
    if Generated.tmp:
        shutil.rmtree(Generated.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main("e2e", cleanup))
