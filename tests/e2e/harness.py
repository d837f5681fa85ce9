"""The small harness every end-to-end suite shares: a test registry, a way to
run the creditref CLI, and a main that runs the tests and prints the
"NAME: N passed, M failed" line run.sh and CI read."""
import os
import subprocess
import traceback

CREDITREF = os.environ["CREDITREF"]
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def run(*args, ok=True, env=None):
    """Runs creditref with args; with ok, a non-zero exit fails the test."""
    p = subprocess.run([CREDITREF, *args], capture_output=True, text=True, env=env)
    if ok and p.returncode != 0:
        raise AssertionError(f"creditref {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


def main(name, cleanup=None):
    """Runs every registered test; returns the exit status."""
    passed = failed = 0
    for t in TESTS:
        try:
            t()
            passed += 1
            print(f"ok   {t.__name__}")
        except Exception:
            failed += 1
            print(f"FAIL {t.__name__}")
            traceback.print_exc()
    if cleanup:
        cleanup()
    print(f"{name}: {passed} passed, {failed} failed")
    return 1 if failed else 0
