#!/usr/bin/env python3
"""End-to-end tests of streaming: "creditref gen --out -" writes the data to
standard output, and "creditref ingest --db DIR -" reads it from standard
input, so that gen | ingest builds a store with no file in between.

The pipe is a real one (two processes, an OS pipe between them), and the
results are compared with those of the same data written to a file and
ingested from it: the same counts, the same "creditref stats" (sizes apart:
two stores of the same data differ in size on disk), the
same rejected lines under the same line numbers.  Then what a stream must
survive: lines longer than the line limit, wherever the reads cut them, a
last line without its newline, and no input at all.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from harness import CREDITREF, main, run, test

HERE = os.path.dirname(os.path.abspath(__file__))
ASOF = "2026-06-30"
EXIT_USAGE = 2
LINE_MAX = 65536  # CR_LINE_MAX, src/common/cr_limits.h
COUNTS = re.compile(
    r"submitted=(\d+) accepted=(\d+) rejected=(\d+) held=(\d+) unchanged=(\d+)")
GEN_SUMMARY = re.compile(r"lines=(\d+) institutions=\d+ subjects=\d+ accounts=\d+ "
                         r"statements=(\d+) consents=\d+ bad=(\d+)")
DIRS = []


def tmpdir():
    d = tempfile.mkdtemp(prefix="creditref-e2e-stream-")
    DIRS.append(d)
    return d


def new_store(d, name="db"):
    db = os.path.join(d, name)
    run("init", "--db", db)
    return db


def counts(stdout):
    m = COUNTS.fullmatch(stdout.strip().splitlines()[-1])
    assert m, f"last line is not the counts line: {stdout!r}"
    c = dict(zip(["submitted", "accepted", "rejected", "held", "unchanged"],
                 map(int, m.groups())))
    assert c["submitted"] == c["accepted"] + c["rejected"] + c["held"] + c["unchanged"], c
    return c


def stats(db):
    out = run("stats", "--db", db).stdout
    pairs = dict(l.split("=", 1) for l in out.strip().splitlines())
    # Sizes on disk differ between two stores of the same data: counts only.
    return {k: v for k, v in pairs.items() if "bytes" not in k}


def ingest_stdin(db, data, cwd, *extra, ok=True):
    """creditref ingest --db db [extra] - with data (bytes) on its stdin."""
    p = subprocess.run([CREDITREF, "ingest", "--db", db, "--as-of", ASOF, *extra, "-"],
                       input=data, capture_output=True, cwd=cwd)
    if ok and p.returncode != 0:
        raise AssertionError(f"ingest - exited {p.returncode}: {p.stderr!r}")
    return p


def rejects(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f]


GEN_ARGS = ["--subjects", "1500", "--months", "24", "--seed", "11",
            "--consent-rate", "0.7", "--bad-rate", "0.01", "--as-of", ASOF]


@test
def gen_pipe_ingest_matches_file():
    d = tmpdir()
    path = os.path.join(d, "data.jsonl")
    to_file = run("gen", *GEN_ARGS, "--out", path)
    file_summary = GEN_SUMMARY.fullmatch(to_file.stdout.strip())
    assert file_summary, to_file.stdout
    db_file = new_store(d, "db_file")
    c_file = counts(run("ingest", "--db", db_file, "--as-of", ASOF, path).stdout)

    # gen | ingest through an OS pipe; the rejects land in the current directory.
    db_pipe = new_store(d, "db_pipe")
    gen = subprocess.Popen([CREDITREF, "gen", *GEN_ARGS, "--out", "-"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ing = subprocess.Popen([CREDITREF, "ingest", "--db", db_pipe, "--as-of", ASOF, "-"],
                           stdin=gen.stdout, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=d, text=True)
    gen.stdout.close()  # ingest holds the only read end now
    ing_out, ing_err = ing.communicate(timeout=300)
    gen_err = gen.stderr.read().decode()
    gen.stderr.close()
    assert gen.wait(timeout=60) == 0, gen_err
    assert ing.returncode == 0, ing_err

    # gen's summary moved to stderr, unchanged.
    assert gen_err.strip() == to_file.stdout.strip(), (gen_err, to_file.stdout)
    c_pipe = counts(ing_out)
    assert c_pipe == c_file, (c_pipe, c_file)
    assert c_pipe["submitted"] == int(file_summary.group(1))
    assert c_pipe["rejected"] >= int(file_summary.group(3)) > 0, c_pipe
    assert "standard input" in ing_err and "stdin.rejects.jsonl" in ing_err, ing_err
    assert stats(db_pipe) == stats(db_file)
    # The same lines refused for the same reasons under the same numbers.
    r_pipe = rejects(os.path.join(d, "stdin.rejects.jsonl"))
    r_file = rejects(path + ".rejects.jsonl")
    assert len(r_pipe) == c_pipe["rejected"]
    assert r_pipe == r_file
    mode = os.stat(os.path.join(d, "stdin.rejects.jsonl")).st_mode & 0o777
    assert mode == 0o600, oct(mode)


@test
def gen_to_stdout_is_the_file():
    d = tmpdir()
    path = os.path.join(d, "data.jsonl")
    run("gen", "--subjects", "50", "--seed", "5", "--as-of", ASOF, "--out", path)
    p = subprocess.run([CREDITREF, "gen", "--subjects", "50", "--seed", "5",
                        "--as-of", ASOF, "--out", "-"], capture_output=True)
    assert p.returncode == 0, p.stderr
    with open(path, "rb") as f:
        assert p.stdout == f.read()
    assert GEN_SUMMARY.fullmatch(p.stderr.decode().strip()), p.stderr


def fixture_lines():
    with open(os.path.join(HERE, "fixtures", "small.jsonl"), "rb") as f:
        return f.read().splitlines()


def padded_institution(code, length):
    """A valid institution line of exactly length bytes (JSON whitespace)."""
    base = json.dumps({"type": "institution", "code": code, "name": "Pad " + code,
                       "kind": "bank"}, separators=(",", ":")).encode()
    assert len(base) <= length
    return base + b" " * (length - len(base))


@test
def over_long_lines_are_rejected_and_the_stream_resyncs():
    d = tmpdir()
    good = fixture_lines()
    # Over-long lines of every kind: just over the limit, one that a single
    # read holds whole, and one longer than the reader's 4 MiB buffer, so
    # that it is cut by reads and skipped across them.  Lines of exactly the
    # limit are accepted.
    long_lines = {
        3: padded_institution("X0001", LINE_MAX + 1),
        7: b'{"type":"institution","name":"' + b"x" * 200000 + b'"}',
        12: b"y" * (5 * 1024 * 1024 + 17),
    }
    at_limit = {5: padded_institution("X0002", LINE_MAX),
                10: padded_institution("X0003", LINE_MAX)}
    lines = list(good)
    for pos, extra in sorted({**long_lines, **at_limit}.items()):
        lines.insert(pos - 1, extra)  # ascending, so it lands at line pos
    numbers = {n for n, l in enumerate(lines, 1) if len(l) > LINE_MAX}
    assert len(numbers) == len(long_lines)
    # The last line has no newline; it still counts.
    data = b"\n".join(lines)

    db_ref = new_store(d, "db_ref")
    ref_path = os.path.join(d, "ref.jsonl")
    with open(ref_path, "wb") as f:
        f.write(b"\n".join(l for l in lines if len(l) <= LINE_MAX) + b"\n")
    c_ref = counts(run("ingest", "--db", db_ref, "--as-of", ASOF, ref_path).stdout)
    # The fixture's own bad lines, renumbered to where they sit in the stream.
    short = [n for n, l in enumerate(lines, 1) if len(l) <= LINE_MAX]
    ref_rejects = {short[x["line"] - 1]: x for x in rejects(ref_path + ".rejects.jsonl")}
    assert len(ref_rejects) == c_ref["rejected"] > 0, c_ref

    db = new_store(d)
    rpath = os.path.join(d, "long.rejects.jsonl")
    p = ingest_stdin(db, data, d, "--rejects", rpath)
    c = counts(p.stdout.decode())
    assert c["submitted"] == len(lines), (c, len(lines))
    assert c["rejected"] == c_ref["rejected"] + len(long_lines), (c, c_ref)
    assert c["accepted"] == c_ref["accepted"] and c["held"] == c_ref["held"], (c, c_ref)
    r = {x["line"]: x for x in rejects(rpath)}
    assert set(r) == numbers | set(ref_rejects), (sorted(r), numbers, sorted(ref_rejects))
    for n in numbers:
        assert r[n]["reason"] == "line too long", r[n]
        assert r[n]["truncated"] is True, n
        assert len(r[n]["record"]) == LINE_MAX, len(r[n]["record"])
    for n, x in ref_rejects.items():
        assert (r[n]["field"], r[n]["reason"], r[n]["record"]) == \
            (x["field"], x["reason"], x["record"]), (r[n], x)
    assert not os.path.exists(os.path.join(d, "stdin.rejects.jsonl"))
    assert stats(db) == stats(db_ref)


@test
def empty_stdin_is_an_empty_run():
    d = tmpdir()
    db = new_store(d)
    p = ingest_stdin(db, b"", d)
    assert counts(p.stdout.decode()) == dict(submitted=0, accepted=0, rejected=0,
                                             held=0, unchanged=0), p.stdout
    assert not os.path.exists(os.path.join(d, "stdin.rejects.jsonl"))
    assert stats(db)["accounts"] == "0"


@test
def stdin_and_rejects_usage():
    d = tmpdir()
    db = new_store(d)
    p = ingest_stdin(db, b"", d, "-", ok=False)  # "-" twice
    assert p.returncode == EXIT_USAGE, p
    assert b"once" in p.stderr, p.stderr
    path = os.path.join(d, "a.jsonl")
    with open(path, "wb") as f:
        f.write(b"\n".join(fixture_lines()) + b"\n")
    p = run("ingest", "--db", db, "--as-of", ASOF, "--rejects", os.path.join(d, "r.jsonl"),
            path, "-", ok=False)
    assert p.returncode == EXIT_USAGE, p
    p = run("gen", "--subjects", "5", "--out", "-", "--bad-manifest", "-", ok=False)
    assert p.returncode == EXIT_USAGE, p


def cleanup():
    for d in DIRS:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main("stream", cleanup))
