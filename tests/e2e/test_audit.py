#!/usr/bin/env python3
"""End-to-end tests of the audit trail (docs/audit.md): the creditref binary
against real stores in temp dirs.

The expected listing is computed from the accesses this script makes, never
hard-coded output; the tampering is done on a copy of the data directory with
plain file edits, as someone with a shell would.
"""
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile

from harness import CREDITREF, main, run, test
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixtures", "small.jsonl")
ASOF = "2026-06-30"
PID = "11010519491231002X"
NOBODY = "110101199003074477"  # a valid ID the fixture does not mention
EXIT_FAIL, EXIT_DENIED, EXIT_NOTFOUND = 1, 3, 4


class Bureau:
    """A store with the fixture ingested, and the log of what was done to it:
    the entries the trail must hold, as (subject, role, institution, action,
    purpose, outcome)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-audit-")
        self.db = os.path.join(self.dir, "db")
        self.log = os.path.join(self.db, "audit.log")
        self.done = []
        run("init", "--db", self.db)
        path = os.path.join(self.dir, "small.jsonl")
        shutil.copy(FIXTURE, path)
        run("ingest", "--db", self.db, "--as-of", ASOF, path)

    def report(self, pid, inst, purpose, expect):
        args = ["report", "--db", self.db, "--id", pid, "--purpose", purpose, "--as-of", ASOF]
        if inst:
            args += ["--as", inst]
        p = run(*args, ok=False)
        want = {"granted": 0, "refused": EXIT_DENIED, "not_found": EXIT_NOTFOUND}[expect]
        assert p.returncode == want, (args, p.returncode, p.stderr)
        role = "lender" if inst else "subject"
        self.done.append((pid, role, inst or "-", "report", purpose, expect))

    def consent(self, verb, pid, inst, purpose, expect="granted"):
        p = run("consent", verb, "--db", self.db, "--id", pid, "--institution", inst,
                "--scope", "query", "--purpose", purpose, "--as-of", ASOF, ok=False)
        assert (p.returncode == 0) == (expect == "granted"), (verb, inst, p.stderr)
        self.done.append((pid, "operator", "-", "consent_" + verb, purpose, expect))

    def show(self, pid):
        p = run("audit", "show", "--db", self.db, "--id", pid, "--as-of", ASOF)
        self.done.append((pid, "operator", "-", "audit_show", "-", "granted"))
        rows = []
        for line in p.stdout.splitlines():
            if re.match(r"\d{4}-\d\d-\d\d  ", line):
                f = line.split(None, 7)
                outcome = f[6].rstrip(":")
                rows.append((f[2], f[3], f[4], f[5], outcome, line))
        return p, rows

    def expected(self, pid):
        return [d[1:] for d in self.done if d[0] == pid]

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def exercise(b):
    """Granted and refused reports, a self report, consent grant and revoke."""
    b.report(PID, "L0001", "loan_approval", "refused")
    b.report(PID, "B0001", "post_loan", "granted")
    b.consent("grant", PID, "L0001", "loan_approval")
    b.report(PID, "L0001", "loan_approval", "granted")
    b.report(PID, None, "self", "granted")
    b.consent("revoke", PID, "L0001", "loan_approval")
    b.report(PID, "L0001", "loan_approval", "refused")
    b.consent("grant", PID, "NOSUCH", "loan_approval", expect="refused")
    b.report(NOBODY, None, "self", "not_found")
    b.report(NOBODY, "L0001", "card_approval", "refused")


def verify(db, ok=True):
    p = run("audit", "verify", "--db", db, ok=False)
    assert (p.returncode == 0) == ok, (p.returncode, p.stdout, p.stderr)
    return p


def lines(path):
    with open(path, "rb") as f:
        return f.read().splitlines(keepends=True)


def tampered_copy(b, edit):
    """A copy of the data directory whose audit.log went through edit()."""
    dst = os.path.join(b.dir, "copy-%d" % len(os.listdir(b.dir)))
    shutil.copytree(b.db, dst)
    shutil.copy(b.db + ".key", dst + ".key")  # the master key lives beside, not inside
    log = os.path.join(dst, "audit.log")
    ls = lines(log)
    with open(log, "wb") as f:
        f.write(b"".join(edit(ls)))
    return dst


@test
def show_lists_exactly_the_accesses_to_the_person():
    b = Bureau()
    try:
        exercise(b)
        p, rows = b.show(PID)
        want = b.expected(PID)
        got = [r[:5] for r in rows]
        assert got == want, "\n".join(map(str, got)) + "\n!=\n" + "\n".join(map(str, want))
        assert "110105********002X" in p.stdout and PID not in p.stdout, p.stdout
        refused = [r[5] for r in rows if r[4] == "refused"]
        assert all("consent" in r or "institution" in r for r in refused), refused
        grant = [r[5] for r in rows if r[2] == "consent_grant" and r[4] == "granted"]
        assert grant and "institution=L0001 scope=query" in grant[0], grant
        # The look itself is audited: the next listing shows the previous one.
        _, again = b.show(PID)
        assert [r[:5] for r in again] == b.expected(PID)
        _, other = b.show(NOBODY)
        assert [r[:5] for r in other] == b.expected(NOBODY), other
    finally:
        b.close()


@test
def verify_counts_every_entry_and_writes_nothing():
    b = Bureau()
    try:
        exercise(b)
        before = open(b.log, "rb").read()
        p = verify(b.db)
        assert p.stdout.strip() == f"audit: {len(b.done)} entries, chain intact, head matches", p.stdout
        assert open(b.log, "rb").read() == before, "verify must not write"
        assert oct(os.stat(b.log).st_mode & 0o777) == "0o600"
    finally:
        b.close()


@test
def trail_holds_no_identifier_name_or_account_number():
    b = Bureau()
    try:
        exercise(b)
        raw = open(b.log, "rb").read().decode("utf-8")
        secrets = {PID, PID.lower(), NOBODY, PID[:6] + "********" + PID[14:]}
        for l in open(FIXTURE, encoding="utf-8"):
            try:
                r = json.loads(l)
            except ValueError:
                continue
            for field in ("id", "name", "phone", "address", "account"):
                v = r.get(field)
                if isinstance(v, str) and len(v) >= 2:
                    secrets.add(v)
        leaked = sorted(s for s in secrets if s in raw)
        assert not leaked, f"the audit trail holds personal data: {leaked}"
        subjects = {json.loads(l)["subject"] for l in raw.splitlines()}
        assert all(re.fullmatch(r"[0-9a-f]{32}", s) for s in subjects), subjects
        assert len(subjects) == 2, subjects
    finally:
        b.close()


@test
def chain_recomputes_offline_without_the_key():
    """docs/audit.md: hash = BLAKE2b-256(prev || the line up to ',"hash":')."""
    b = Bureau()
    try:
        exercise(b)
        prev = bytes(32)
        for n, line in enumerate(lines(b.log), 1):
            line = line.rstrip(b"\n")
            e = json.loads(line)
            body = line[:line.rindex(b',"hash":"')]
            h = hashlib.blake2b(prev + body, digest_size=32).digest()
            assert e["seq"] == n and bytes.fromhex(e["prev"]) == prev, n
            assert h.hex() == e["hash"], n
            prev = h
    finally:
        b.close()


@test
def an_edited_middle_entry_is_named():
    b = Bureau()
    try:
        exercise(b)
        n = len(b.done)
        k = n // 2 + 1

        def edit(ls):
            line = ls[k - 1]
            i = line.index(b'"as_of":"') + 12  # a digit of the year
            ls[k - 1] = line[:i] + bytes([line[i] ^ 1]) + line[i + 1:]
            return ls

        db = tampered_copy(b, edit)
        p = verify(db, ok=False)
        assert p.returncode == EXIT_FAIL
        assert p.stdout.strip() == f"audit: entry {k} (line {k}) was altered: its hash does not match", p.stdout
        verify(b.db)  # the original is untouched
    finally:
        b.close()


@test
def removed_and_reordered_entries_are_named():
    b = Bureau()
    try:
        exercise(b)
        db = tampered_copy(b, lambda ls: ls[:3] + ls[4:])
        p = verify(db, ok=False)
        assert "audit: entry 4 is missing or out of order (expected seq 4, found 5)" in p.stdout, p.stdout
        db = tampered_copy(b, lambda ls: ls[:5] + [ls[6], ls[5]] + ls[7:])
        p = verify(db, ok=False)
        assert "entry 6 is missing or out of order (expected seq 6, found 7)" in p.stdout, p.stdout
    finally:
        b.close()


@test
def a_truncated_tail_is_detected_and_stops_access():
    b = Bureau()
    try:
        exercise(b)
        n = len(b.done)
        db = tampered_copy(b, lambda ls: ls[:-1])
        p = verify(db, ok=False)
        assert p.stdout.strip() == (f"audit: the trail ends at entry {n - 1} but the head says {n}: "
                                    "the tail was truncated"), p.stdout
        db = tampered_copy(b, lambda ls: ls[:-3])
        p = verify(db, ok=False)
        assert f"the trail ends at entry {n - 3} but the head says {n}" in p.stdout, p.stdout
        # Nothing more is served, and nothing appended, on a truncated trail.
        size = os.path.getsize(os.path.join(db, "audit.log"))
        p = run("report", "--db", db, "--id", PID, "--purpose", "self", "--as-of", ASOF, ok=False)
        assert p.returncode == EXIT_FAIL and "audit" in p.stderr, (p.returncode, p.stderr)
        p = run("audit", "show", "--db", db, "--id", PID, "--as-of", ASOF, ok=False)
        assert p.returncode == EXIT_FAIL, p.stdout
        assert os.path.getsize(os.path.join(db, "audit.log")) == size
        os.remove(os.path.join(db, "audit.log"))
        p = verify(db, ok=False)
        assert f"the trail ends at entry 0 but the head says {n}" in p.stdout, p.stdout
    finally:
        b.close()


@test
def key_rotation_keeps_the_trail_verifiable():
    """The MAC key derives from the pseudonym secret, which rotation keeps."""
    b = Bureau()
    try:
        exercise(b)
        run("keys", "rotate", "--db", b.db)
        p = verify(b.db)
        # The rotation is an administrative act: it adds its own entry.
        assert f"audit: {len(b.done) + 1} entries" in p.stdout, p.stdout
        assert "keys_rotate" in open(os.path.join(b.db, "audit.log")).read()
        b.report(PID, "B0001", "post_loan", "granted")
        verify(b.db)
    finally:
        b.close()


@test
def help_and_usage():
    assert "usage: creditref audit verify" in run("help", "audit").stdout
    p = run("audit", "bogus", "--db", "x", ok=False)
    assert p.returncode == 2 and "verify or show" in p.stderr, p.stderr
    b = Bureau()
    try:
        p = run("audit", "show", "--db", b.db, "--id", PID[:-1] + "3", ok=False)
        assert p.returncode == 2 and PID[:-1] not in p.stderr, p.stderr
        p = verify(b.db)
        assert p.stdout.strip() == "audit: 0 entries, chain intact, head matches", p.stdout
    finally:
        b.close()


if __name__ == "__main__":
    sys.exit(main("e2e-audit"))
