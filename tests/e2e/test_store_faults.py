"""Damaged stores and hostile limits ("Disk faults as tests"): a store whose
files are garbage, cut or missing, an audit trail cut short, a directory on
a read-only file system, a LOCK file that cannot be opened, a directory of
another user, and a process address-space limit each give a clear error
naming the cause and a documented nonzero exit (1: the run failed,
docs/cli.md) -- never a crash, which shows as a negative status (a signal)
or an ASan report -- and once the fault is gone the store opens and takes
writes again.  The read-only file system, the immutable LOCK and the other
user need root (CI runs as root); elsewhere the permission bits stand in
for the first two, and the third is skipped."""
import os
import resource
import shutil
import subprocess
import sys
import tempfile

from apiserver import ASOF, REAL
from harness import main, run, test

PID = "110105198001010016"
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "api.jsonl")


class Copy:
    """A store with the API fixture, made once, copied fresh for each case."""
    base = None

    def __init__(self):
        if Copy.base is None:
            Copy.base = tempfile.mkdtemp(prefix="creditref-faults-")
            db = os.path.join(Copy.base, "db")
            run("init", "--db", db)
            run("ingest", "--db", db, "--as-of", ASOF, FIXTURE)
            run("compact", "--db", db)
        self.dir = tempfile.mkdtemp(prefix="creditref-fault-")
        self.db = os.path.join(self.dir, "db")
        shutil.copytree(os.path.join(Copy.base, "db"), self.db)
        shutil.copy2(os.path.join(Copy.base, "db.key"), self.db + ".key")

    def files(self, suffix):
        return [os.path.join(self.db, f) for f in sorted(os.listdir(self.db)) if f.endswith(suffix)
                or f.startswith(suffix)]

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def fails_clearly(p, *words):
    """Exit 1 (not a signal), a message naming the cause, no sanitizer report."""
    assert p.returncode == 1, f"exit {p.returncode} (negative: a signal): {p.stderr[-600:]}"
    assert "ERROR: AddressSanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    low = p.stderr.lower()
    assert any(w in low for w in words), f"no {words} in: {p.stderr[-400:]}"


def commands(db):
    """A read, a write, and the server, on db."""
    yield run("stats", "--db", db, ok=False)
    yield run("report", "--db", db, "--id", PID, "--as", "B0001", "--purpose", "post_loan",
              "--as-of", ASOF, ok=False)
    yield run("ingest", "--db", db, "--as-of", ASOF, FIXTURE, ok=False)
    yield subprocess.run([REAL, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                         capture_output=True, text=True, timeout=60)


@test
def garbage_or_empty_store_files_are_refused_clearly():
    cases = {
        "CURRENT garbage": lambda c: open(os.path.join(c.db, "CURRENT"), "w").write("garbage\n"),
        "CURRENT empty": lambda c: open(os.path.join(c.db, "CURRENT"), "w").close(),
        "MANIFEST empty": lambda c: [open(f, "w").close() for f in c.files("MANIFEST")],
        "tables garbage": lambda c: [open(f, "wb").write(os.urandom(4096)) for f in c.files(".sst")],
        "tables empty": lambda c: [open(f, "wb").close() for f in c.files(".sst")],
        "tables missing": lambda c: [os.remove(f) for f in c.files(".sst")],
    }
    for name, damage in cases.items():
        c = Copy()
        try:
            damage(c)
            for p in commands(c.db):
                try:
                    fails_clearly(p, "corrupt", "cannot open", "no such", "missing")
                except AssertionError as e:
                    raise AssertionError(f"{name}: {p.args[:2]}: {e}")
        finally:
            c.close()


@test
def a_cut_audit_trail_is_named_and_refuses_new_entries():
    c = Copy()
    try:
        run("report", "--db", c.db, "--id", PID, "--as", "B0001", "--purpose", "post_loan",
            "--as-of", ASOF, ok=False)
        log = os.path.join(c.db, "audit.log")
        size = os.path.getsize(log)
        assert size > 40, size
        with open(log, "r+b") as f:
            f.truncate(size - 25)  # the last line cut mid-entry
        p = run("audit", "verify", "--db", c.db, ok=False)
        assert p.returncode == 1 and p.stdout + p.stderr, p
        out = (p.stdout + p.stderr).lower()
        assert "truncated" in out or "altered" in out or "not a json" in out, out
        p = run("report", "--db", c.db, "--id", PID, "--as", "B0001", "--purpose", "post_loan",
                "--as-of", ASOF, ok=False)
        assert p.returncode in (1, 3), f"exit {p.returncode}: {p.stderr}"
        assert p.returncode > 0
    finally:
        c.close()


def writes(db):
    """The write commands of commands(db)."""
    yield run("ingest", "--db", db, "--as-of", ASOF, FIXTURE, ok=False)
    yield subprocess.run([REAL, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                         capture_output=True, text=True, timeout=60)


def resumes(db):
    """The store takes a write again: the fixture ingested once more (what
    was stored before counts unchanged), and read."""
    p = run("ingest", "--db", db, "--as-of", ASOF, FIXTURE, ok=False)
    assert p.returncode == 0, f"exit {p.returncode}: {p.stderr[-400:]}"
    assert "submitted=" in p.stdout and "unchanged=0" not in p.stdout, p.stdout
    p = run("stats", "--db", db, ok=False)
    assert p.returncode == 0 and "subjects=" in p.stdout, p.stderr


def root():
    return os.geteuid() == 0


@test
def a_read_only_directory_is_named_and_reads_go_on():
    c = Copy()
    mnt = None
    try:
        if root():
            mnt = tempfile.mkdtemp(prefix="creditref-rofs-")
            m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt],
                               capture_output=True, text=True)
            if m.returncode != 0:
                print(f"     (skipped: cannot mount a tmpfs: {m.stderr.strip()})")
                os.rmdir(mnt)
                mnt = None
                return
            db = os.path.join(mnt, "db")
            shutil.copytree(c.db, db)
            shutil.copy2(c.db + ".key", db + ".key")
            subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
            words = ("read-only file system",)
        else:
            db = c.db
            for f in os.listdir(db):
                os.chmod(os.path.join(db, f), 0o444)
            os.chmod(db, 0o555)
            words = ("permission denied",)
        for p in writes(db):
            fails_clearly(p, *words)
        p = run("stats", "--db", db, ok=False)
        assert p.returncode == 0 and "subjects=" in p.stdout, p.stderr
        if mnt:
            subprocess.run(["mount", "-o", "remount,rw", mnt], check=True)
        else:
            os.chmod(db, 0o700)
            for f in os.listdir(db):
                os.chmod(os.path.join(db, f), 0o600)
        resumes(db)
    finally:
        if mnt:
            subprocess.run(["umount", mnt], capture_output=True)
            os.rmdir(mnt)
        c.close()


@test
def a_lock_file_that_cannot_be_opened_is_not_called_busy():
    c = Copy()
    lock = os.path.join(c.db, "LOCK")
    immutable = False
    try:
        if root():
            immutable = subprocess.run(["chattr", "+i", lock], capture_output=True).returncode == 0
            if not immutable:
                print("     (skipped: this file system takes no immutable attribute)")
                return
        else:
            os.chmod(lock, 0o400)
        for p in writes(c.db):
            fails_clearly(p, "permission denied")
            assert "another process" not in p.stderr, p.stderr
        if immutable:
            subprocess.run(["chattr", "-i", lock], check=True)
            immutable = False
        else:
            os.chmod(lock, 0o644)
        resumes(c.db)
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", lock], capture_output=True)
        c.close()


@test
def another_users_store_is_not_called_missing():
    if not root() or not shutil.which("setpriv"):
        print("     (skipped: running a command as another user needs root and setpriv)")
        return
    c = Copy()
    try:
        os.chmod(c.dir, 0o755)
        os.chmod(c.db, 0o700)
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            REAL, "stats", "--db", c.db], capture_output=True, text=True)
        fails_clearly(p, "permission denied")
        assert "no creditref store" not in p.stderr, p.stderr
        resumes(c.db)
    finally:
        c.close()


def sanitized(path):
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


@test
def an_address_space_limit_is_an_error_not_a_crash():
    if sanitized(REAL):
        print("     (skipped under AddressSanitizer, which maps terabytes of shadow memory)")
        return
    c = Copy()
    try:
        for mib in (64, 256, 1024):
            def limit():
                lim = mib << 20
                resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
            p = subprocess.run([REAL, "report", "--db", c.db, "--id", PID, "--as", "B0001",
                                "--purpose", "post_loan", "--as-of", ASOF],
                               capture_output=True, text=True, preexec_fn=limit)
            if p.returncode == 0:
                continue  # it fits in the limit: nothing to show
            fails_clearly(p, "address-space limit")
    finally:
        c.close()


def cleanup():
    if Copy.base:
        shutil.rmtree(Copy.base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main("e2e-store-faults", cleanup))
