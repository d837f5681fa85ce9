#!/usr/bin/env python3
"""End-to-end tests for DESIGN.md rule 6: information a bureau may not collect
is refused at the door, reported with its reason, counted, and never stored.

Each test builds its own small furnishing file around people whose IDs,
names and values appear nowhere else, so that "not in the store" can be
checked on the raw bytes of the LMDB files. A control value from an accepted
line is searched for the same way, to show that the search would see it.
"""
import json
import os
import re
import shutil
import sys
import tempfile

from harness import CREDITREF, main, run, test
ASOF = "2026-06-30"
EXIT_USAGE, EXIT_NOTFOUND = 2, 4
REASON = "prohibited information"
PROHIBITED_LINE = re.compile(
    r"prohibited=(\d+) records refused as information a bureau may not collect")
COUNTS_LINE = re.compile(
    r"submitted=(\d+) accepted=(\d+) rejected=(\d+) held=(\d+) unchanged=(\d+)")


def resident_id(first17):
    """first17 with its GB 11643 (ISO 7064 MOD 11-2) check character."""
    s = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    c = (12 - s % 11) % 11
    return first17 + ("X" if c == 10 else str(c))


def ingest_output(stdout):
    """(prohibited or None, counts dict) from creditref ingest's stdout."""
    lines = stdout.strip().splitlines()
    m = COUNTS_LINE.fullmatch(lines[-1])
    assert m, f"last line is not the counts line: {lines[-1]!r}"
    c = dict(zip(["submitted", "accepted", "rejected", "held", "unchanged"],
                 map(int, m.groups())))
    assert c["submitted"] == c["accepted"] + c["rejected"] + c["held"] + c["unchanged"], c
    prohibited = None
    for l in lines[:-1]:
        pm = PROHIBITED_LINE.fullmatch(l)
        if pm:
            assert l == lines[-2], f"the prohibited line must come just before the counts: {lines}"
            prohibited = int(pm.group(1))
    return prohibited, c


class Store:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-e2e-prohib-")
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)

    def write(self, name, records):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            for r in records:
                f.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
        return path

    def ingest(self, path):
        return run("ingest", "--db", self.db, "--as-of", ASOF, path)

    def rejects(self, path):
        rp = path + ".rejects.jsonl"
        if not os.path.exists(rp):
            return {}
        return {r["line"]: r for r in map(json.loads, open(rp, encoding="utf-8"))}

    def self_report(self, id_):
        return run("report", "--db", self.db, "--id", id_, "--purpose", "self",
                   "--as-of", ASOF, ok=False)

    def raw_bytes(self):
        data = b""
        for name in sorted(os.listdir(self.db)):
            with open(os.path.join(self.db, name), "rb") as f:
                data += f.read()
        return data

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


INSTITUTION = {"type": "institution", "code": "B0001", "name": "Example Bank", "kind": "bank"}


def account(id_, acct, name, **extra):
    r = {"type": "account", "institution": "B0001", "account": acct, "id": id_,
         "name": name, "product": "revolving", "opened": "2022-03-01",
         "credit_limit": 500000}
    r.update(extra)
    return r


def consent(id_):
    return {"type": "consent", "id": id_, "institution": "B0001", "scope": "furnish",
            "granted": "2022-01-01", "evidence": "sha256:00"}


@test
def prohibited_field_is_rejected_counted_and_never_stored():
    st = Store()
    try:
        good, bad = resident_id("11010519850203123"), resident_id("44030519910817456")
        path = st.write("blood.jsonl", [
            INSTITUTION, consent(good), consent(bad),
            account(good, "ACC-CONTROL-5521", "Control Person",
                    address="CONTROL-ADDR-5521"),
            account(bad, "ACC-PROHIB-7731", "Qian Prohibited-Name-7731",
                    blood_type="AB-PROHIBITED-7731"),
        ])
        prohibited, c = ingest_output(st.ingest(path).stdout)
        assert prohibited == 1, prohibited
        assert c["rejected"] == 1 and c["accepted"] == 4, c
        # (a) rejected with the field and the reason.
        rej = st.rejects(path)
        assert set(rej) == {5}, rej
        assert rej[5]["field"] == "blood_type" and rej[5]["reason"] == REASON, rej[5]
        # (b) the person has no file.
        p = st.self_report(bad)
        assert p.returncode == EXIT_NOTFOUND, (p.returncode, p.stdout, p.stderr)
        assert st.self_report(good).returncode == 0
        # (c) no byte of the line is in the store.  Identities are sealed at
        # rest, so the search is shown to work on a value kept in the clear
        # (the institution's name); (b) shows the control person was stored.
        raw = st.raw_bytes()
        assert b"Example Bank" in raw, "the raw search must see stored values"
        for s in ["AB-PROHIBITED-7731", "ACC-PROHIB-7731", "Prohibited-Name-7731"]:
            assert s.encode() not in raw, f"{s} is in the store"
        stats = dict(l.split("=", 1) for l in run("stats", "--db", st.db).stdout.split())
        assert stats["subjects"] == "1" and stats["accounts"] == "1", stats
    finally:
        st.close()


@test
def free_text_marker_is_rejected_and_never_stored():
    st = Store()
    try:
        ids = [resident_id(f"32010219900101{i}12") for i in range(4)]
        path = st.write("markers.jsonl", [
            INSTITUTION,
            account(ids[0], "ACC-M-1", "Sun Marker-One", address="南京市 血型：O-MARKER-4411"),
            account(ids[1], "ACC-M-2", "Zhou Marker-Two 民族：汉 MARKER-4412"),
            account(ids[2], "ACC-M-3", "Wu Passes", address="广西南宁市青秀区民族大道1号 PASS-4413"),
            account(ids[3], "ACC-M-4", "Zheng Passes", address="Faith Street 3, PASS-4414"),
            {"type": "consent", "id": ids[2], "institution": "B0001", "scope": "furnish",
             "granted": "2022-01-01", "evidence": "diagnosis: MARKER-4415"},
        ])
        prohibited, c = ingest_output(st.ingest(path).stdout)
        assert prohibited == 3 and c["rejected"] == 3, (prohibited, c)
        rej = st.rejects(path)
        got = {line: (r["field"], r["reason"]) for line, r in rej.items()}
        assert got == {2: ("address", REASON), 3: ("name", REASON),
                       6: ("evidence", REASON)}, got
        for id_ in ids[:2]:
            assert st.self_report(id_).returncode == EXIT_NOTFOUND
        p = st.self_report(ids[2])
        assert p.returncode == 0, p.stderr
        # Real addresses with 民族 and Faith are accepted: those people have files.
        assert st.self_report(ids[3]).returncode == 0
        raw = st.raw_bytes()
        assert b"Example Bank" in raw, "the raw search must see stored values"
        for s in ["MARKER-4411", "MARKER-4412", "MARKER-4415"]:
            assert s.encode() not in raw, f"{s} is in the store"
    finally:
        st.close()


@test
def prohibited_outranks_other_faults_and_covers_co_lenders():
    st = Store()
    try:
        id_ = resident_id("51010719770405321")
        path = st.write("mixed.jsonl", [
            INSTITUTION,
            '{"type":"statement","institution":"B0001","account":"X","month":"2026-01",'
            '"balance":1.5,"Religion":"x"}',
            account(id_, "ACC-C-1", "Lin Colender",
                    co_lenders=[{"institution": "B0001", "share_bp": 10000,
                                 "fingerprint": "FP-PROHIB-9901"}]),
            '{"type":"statement","institution":"B0001","account":"X","month":"2026-01",'
            '"balance":1.5,"colour":"x"}',
        ])
        prohibited, c = ingest_output(st.ingest(path).stdout)
        assert prohibited == 2 and c["rejected"] == 3, (prohibited, c)
        rej = st.rejects(path)
        assert (rej[2]["field"], rej[2]["reason"]) == ("Religion", REASON), rej[2]
        assert (rej[3]["field"], rej[3]["reason"]) == ("co_lenders[0].fingerprint", REASON), rej[3]
        assert rej[4]["reason"] != REASON, rej[4]
        assert b"FP-PROHIB-9901" not in st.raw_bytes()
        # Counted again on every run: the count is per ingest.
        again, c2 = ingest_output(st.ingest(path).stdout)
        assert again == 2 and c2["rejected"] == 3, (again, c2)
    finally:
        st.close()


@test
def no_prohibited_line_when_none():
    st = Store()
    try:
        id_ = resident_id("11010519700101001")
        path = st.write("clean.jsonl", [INSTITUTION, account(id_, "ACC-1", "Clean Person"),
                                        '{"type":"statement","colour":1}'])
        out = st.ingest(path).stdout
        prohibited, c = ingest_output(out)
        assert prohibited is None and "prohibited" not in out, out
        assert c["rejected"] == 1, c
    finally:
        st.close()


@test
def consent_evidence_from_the_command_line_is_refused():
    st = Store()
    try:
        st.ingest(st.write("inst.jsonl", [INSTITUTION]))
        id_ = resident_id("11010519491231002")
        p = run("consent", "grant", "--db", st.db, "--id", id_, "--institution", "B0001",
                "--scope", "furnish", "--evidence", "blood type: EVID-PROHIB-3301",
                "--as-of", ASOF, ok=False)
        assert p.returncode == EXIT_USAGE and REASON in p.stderr, (p.returncode, p.stderr)
        listing = run("consent", "list", "--db", st.db, "--id", id_).stdout
        assert "grant" not in listing, listing
        assert b"EVID-PROHIB-3301" not in st.raw_bytes()
    finally:
        st.close()


if __name__ == "__main__":
    sys.exit(main("e2e-prohibited"))
