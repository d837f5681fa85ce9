"""What the HTTP API suites share: a store set up from a fixture, API keys
issued with `creditref keys add`, a `creditref serve` process on a free port,
a urllib client that returns every status instead of raising, and the checks
every error response must pass (docs/api.md, "Errors")."""
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

from harness import CREDITREF, run

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SPEC_PATH = os.path.join(ROOT, "docs", "openapi.json")
ASOF = "2026-06-30"
TOKEN_RE = re.compile(r"crk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}")
SERVING_RE = re.compile(r"creditref: serving on (http://127\.0\.0\.1:([0-9]+))\s*$")
PROBLEM_TYPES = {400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
                 405: "method-not-allowed", 409: "conflict", 413: "body-too-large", 429: "rate-limited",
                 500: "internal", 503: "unavailable"}
# serve runs the real binary: logwrap.sh would stand between the test and the
# process that must get SIGTERM.  Its output is appended to $E2E_LOG here.
REAL = os.environ.get("CREDITREF_REAL", CREDITREF)


def spec():
    with open(SPEC_PATH, encoding="utf-8") as f:
        return json.load(f)


def operations(doc):
    for path, item in doc["paths"].items():
        for method, o in item.items():
            if method in ("get", "post", "put", "delete", "patch"):
                yield method.upper(), path, o


def mask(pid):
    return pid[:6] + "*" * 8 + pid[-4:]


class Key:
    def __init__(self, token):
        m = TOKEN_RE.fullmatch(token)
        assert m, token
        self.token, self.id = token, m.group(1)

    def header(self):
        return "Bearer " + self.token


def issue(db, role, institution=None, pid=None):
    """`creditref keys add`; the token is the one crk_ string it prints."""
    args = ["keys", "add", "--db", db, "--role", role]
    if institution:
        args += ["--institution", institution]
    if pid:
        args += ["--id", pid]
    out = run(*args).stdout
    tokens = [m.group(0) for m in TOKEN_RE.finditer(out)]
    assert len(tokens) == 1, f"keys add printed {len(tokens)} tokens: {out!r}"
    return Key(tokens[0])


class Store:
    """A fresh store with fixtures/FIXTURE ingested at ASOF."""

    def __init__(self, prefix, fixture="api.jsonl"):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)
        src = os.path.join(self.dir, fixture)
        shutil.copy(os.path.join(HERE, "fixtures", fixture), src)
        out = run("ingest", "--db", self.db, "--as-of", ASOF, src).stdout
        assert " rejected=0 " in out, out

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def audit_texts(db):
    """The free text of every entry of the store's audit trail (reason and
    detail, one line each), for check_masking.py: no suite's trail may carry
    an identifier in clear."""
    try:
        with open(os.path.join(db, "audit.log"), encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            e = json.loads(line)
        except ValueError:
            continue   # a torn line after kill -9: audit verify judges it
        if e.get("reason") or e.get("detail"):
            out.append(f"audit {e.get('action')}: {e.get('reason')} | {e.get('detail')}\n")
    return out


def seeded_store(prefix, text):
    """A fresh store in a new temporary directory with the JSON Lines text
    ingested at ASOF, every line accepted or held; returns (dir, db)."""
    d = tempfile.mkdtemp(prefix=prefix)
    db = os.path.join(d, "db")
    run("init", "--db", db)
    src = os.path.join(d, "setup.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        f.write(text)
    out = run("ingest", "--db", db, "--as-of", ASOF, src).stdout
    assert " rejected=0 " in out, out
    return d, db


class Server:
    """`creditref serve` on 127.0.0.1, port 0; waits for its serving line."""

    def __init__(self, db, *options, start_timeout=15):
        self.db, self.options = db, options
        self.out, self.err = [], []
        self.lines = queue.Queue()
        self.proc = subprocess.Popen(
            [REAL, "serve", "--db", db, "--listen", "127.0.0.1:0", "--as-of", ASOF, *options],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._readers = [threading.Thread(target=self._drain, args=(self.proc.stdout, self.out, True), daemon=True),
                         threading.Thread(target=self._drain, args=(self.proc.stderr, self.err, False), daemon=True)]
        for t in self._readers:
            t.start()
        deadline = time.monotonic() + start_timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(0.05, min(left, 0.5)))
            except queue.Empty:
                line = None
            if line is not None:
                m = SERVING_RE.search(line)
                if m:
                    self.base, self.port = m.group(1), int(m.group(2))
                    return
            elif self.proc.poll() is not None and self.lines.empty():
                self._log()
                raise AssertionError(f"serve exited {self.proc.returncode} before serving: "
                                     f"{''.join(self.err)[-2000:]}")
            if left <= 0:
                self.kill()
                raise AssertionError(f"no 'creditref: serving on' line within {start_timeout} s; "
                                     f"stdout {''.join(self.out)!r} stderr {''.join(self.err)[-2000:]!r}")

    def _drain(self, pipe, sink, lines):
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "replace")
            sink.append(line)
            if lines:
                self.lines.put(line)
        pipe.close()

    def _log(self):
        log = os.environ.get("E2E_LOG")
        if log:
            for t in self._readers:
                t.join(timeout=5)
            with open(log, "a", encoding="utf-8") as f:
                f.write("".join(self.out) + "".join(self.err))
                f.write("".join(audit_texts(self.db)))


    def stop(self, timeout=20):
        """SIGTERM, then the exit status (the process must exit within timeout)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"serve did not exit within {timeout} s of SIGTERM")
        self._log()
        return rc

    def wait(self, timeout=20):
        """The exit status of a process already signalled."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"serve did not exit within {timeout} s")
        self._log()
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            self._log()

    def stderr(self):
        return "".join(self.err)


class Response:
    def __init__(self, status, headers, body, method, path):
        self.status, self.headers, self.body = status, headers, body
        self.method, self.path = method, path

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise AssertionError(f"{self.method} {self.path}: not JSON: {self.body[:300]!r}")

    def text(self):
        return self.body.decode("utf-8", "replace")

    def ctype(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def __repr__(self):
        return f"{self.method} {self.path} -> {self.status} {self.body[:400]!r}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def call(base, method, path, key=None, body=None, ctype="application/json", auth=None,
         headers=None, timeout=15):
    """One request; returns a Response for every status.  key: a Key; auth: a
    raw Authorization value; body: bytes, str, or an object sent as JSON."""
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    req = urllib.request.Request(base + path, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", ctype)
    if key is not None:
        req.add_header("Authorization", key.header())
    elif auth is not None:
        req.add_header("Authorization", auth)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read(), method, path)
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers, e.read(), method, path)


def assert_problem(r, status):
    """The error response of docs/api.md: the status, problem+json, its five
    fields agreeing with the request, and the headers the status needs."""
    assert r.status == status, f"expected {status}: {r!r}"
    assert r.ctype() == "application/problem+json", f"Content-Type {r.headers.get('Content-Type')!r}: {r!r}"
    p = r.json()
    assert isinstance(p, dict), r
    assert p.get("type") == "urn:creditref:problem:" + PROBLEM_TYPES[status], f"type: {r!r}"
    assert isinstance(p.get("title"), str) and p["title"], f"title: {r!r}"
    assert p.get("status") == status, f"status field: {r!r}"
    assert isinstance(p.get("detail"), str) and p["detail"], f"detail: {r!r}"
    assert p.get("instance") == r.path.split("?")[0], f"instance: {r!r}"
    if status == 401:
        www = r.headers.get("WWW-Authenticate") or ""
        assert www.split(" ")[0].lower() == "bearer", f"WWW-Authenticate {www!r}: {r!r}"
    if status == 405:
        assert r.headers.get("Allow"), f"405 without Allow: {r!r}"
    if status == 429:
        ra = r.headers.get("Retry-After") or ""
        assert ra.isdigit() and int(ra) >= 1, f"Retry-After {ra!r}: {r!r}"
    return p


def walk(x):
    """Every (key, value) pair anywhere in a JSON value."""
    if isinstance(x, dict):
        for k, v in x.items():
            yield k, v
            yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)


def values(doc, key):
    return [v for k, v in walk(doc) if k == key]
