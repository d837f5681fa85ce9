#!/usr/bin/env python3
"""Crash trials of `creditref ingest`: kill -9 at a random moment, many times.

One generated file is ingested into a reference store once, cleanly.  Then,
trial after trial, `creditref ingest` of the same file runs on a second
store and is killed with SIGKILL after a random delay.  After every kill:

- the store opens (`creditref stats`) and `creditref audit verify` passes;
- it holds no more than the reference: every count at most the clean one
  (a batch is applied whole or not at all, and nothing is applied twice);
- what a kill interrupted is finished by the next trial's ingest, which
  counts what it finds stored as unchanged.

Every CHECK_EVERY trials, and after the last, the file is ingested to its end
without a kill: the store must then hold exactly what the reference holds;
the trials after that start again from an empty store.

Usage: ingest_kill.py TRIALS   (CREDITREF: the binary; CRASH_SEED: the seed)
Prints one line per check and a summary line:
  crash-ingest: trials=N kills_mid_run=K full_checks=C losses=0 failures=0
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

CREDITREF = os.environ["CREDITREF"]
ASOF = "2026-06-30"
KEYS = ("institutions", "subjects", "accounts", "account_months", "consents", "held_records")
CHECK_EVERY = 25


def run(*args, ok=True):
    p = subprocess.run([CREDITREF, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise SystemExit(f"creditref {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


def stats(db):
    out = run("stats", "--db", db).stdout
    d = dict(kv.split("=", 1) for kv in out.split() if "=" in kv)
    return {k: int(d[k]) for k in KEYS}


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    seed = int(os.environ.get("CRASH_SEED") or random.SystemRandom().randrange(1 << 30))
    rng = random.Random(seed)
    print(f"crash-ingest: {trials} trials, seed {seed}", flush=True)
    tmp = tempfile.mkdtemp(prefix="creditref-crash-ingest-")
    failures = losses = kills_mid = full = 0
    try:
        data = os.path.join(tmp, "data.jsonl")
        run("gen", "--subjects", "20000", "--months", "24", "--seed", "11",
            "--as-of", ASOF, "--out", data)
        ref, db = os.path.join(tmp, "ref"), os.path.join(tmp, "db")
        run("init", "--db", ref)
        t0 = time.monotonic()
        run("ingest", "--db", ref, "--as-of", ASOF, data)
        clean_s = time.monotonic() - t0
        want = stats(ref)
        run("init", "--db", db)
        for i in range(1, trials + 1):
            p = subprocess.Popen([CREDITREF, "ingest", "--db", db, "--as-of", ASOF, data],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0, clean_s * 1.1))
            if p.poll() is None:
                kills_mid += 1
            p.kill()
            p.wait()
            got = stats(db)
            v = run("audit", "verify", "--db", db, ok=False)
            over = [k for k in KEYS if got[k] > want[k]]
            if v.returncode != 0 or over:
                failures += 1
                print(f"trial {i}: FAIL audit verify exit {v.returncode} {v.stderr.strip()[:200]}; "
                      f"over the clean store: {over}", flush=True)
            if i % CHECK_EVERY == 0 or i == trials:
                run("ingest", "--db", db, "--as-of", ASOF, data)
                got = stats(db)
                full += 1
                short = [k for k in KEYS if got[k] != want[k]]
                if short:
                    losses += 1
                    print(f"trial {i}: FAIL after a full ingest: {[(k, got[k], want[k]) for k in short]}",
                          flush=True)
                else:
                    print(f"trial {i}: full ingest matches the clean store "
                          f"({kills_mid} kills mid-run so far)", flush=True)
                # The next trials start again from an empty store, so that
                # their kills land in first loads, not in re-ingests.
                shutil.rmtree(db)
                os.remove(db + ".key")
                run("init", "--db", db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"crash-ingest: trials={trials} kills_mid_run={kills_mid} full_checks={full} "
          f"losses={losses} failures={failures} seed={seed}")
    return 1 if failures or losses else 0


if __name__ == "__main__":
    sys.exit(main())
