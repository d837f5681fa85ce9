#!/usr/bin/env python3
"""The server against docs/openapi.json and the limits of docs/api.md: the
document it serves is the one in the repository; every documented route
exists and nothing else does; a wrong method is 405 with Allow; --max-body,
--rate-limit/--burst, --max-connections and --timeout hold; SIGTERM lets a
large upload in flight finish durably and exits 0; /healthz needs no key."""
import http.client
import json
import os
import re
import shutil
import socket
import sys
import threading
import time

from harness import main, run, test
from apiserver import (ASOF, SPEC_PATH, Server, Store, assert_problem, call, issue,
                       operations, spec)

ROLES = ("furnisher", "lender", "subject", "supervisor", "operator")
PARAMS = {"id": "1", "key_id": "0123456789abcdef", "file": "console.js"}
UNDOCUMENTED = ("/console", "/console/", "/console/a/b", "/v1", "/v1/", "/v1/nope", "/v1/reports/x", "/v1/me", "/v1/me/report/x",
                "/v2/reports", "/V1/reports", "/v1/keys/0123456789abcdef/x", "/v1/disputes/1",
                "/v1/disputes/1/delete", "/v1/disputes/1/verify/x", "/healthz/x", "/metrics/x",
                "/v1/openapi.yaml", "/v1/consents/x")


class Bureau:
    """One store with the API fixture and a key per role, shared by every
    server this suite starts (one at a time)."""

    def __init__(self):
        self.store = Store("creditref-contract-")
        db = self.store.db
        self.keys = {
            "furnisher": issue(db, "furnisher", institution="B0001"),
            "lender": issue(db, "lender", institution="L0001"),
            "subject": issue(db, "subject", pid="110105198001010016"),
            "supervisor": issue(db, "supervisor"),
            "operator": issue(db, "operator"),
            "operator2": issue(db, "operator"),
        }

    def serve(self, *options):
        return Server(self.store.db, *options)


B = None
SETUP_FAILED = None


def bureau():
    global B, SETUP_FAILED
    if SETUP_FAILED:
        raise AssertionError(f"setup failed: {SETUP_FAILED}")
    if B is None:
        try:
            B = Bureau()
        except Exception as e:
            SETUP_FAILED = f"{type(e).__name__}: {e}"
            raise
    return B


class Running:
    """with Running(options) as s: a server, stopped with SIGTERM at the end;
    it must exit 0."""

    def __init__(self, *options):
        self.options = options

    def __enter__(self):
        options = self.options if "--rate-limit" in self.options else ("--rate-limit", "0") + self.options
        self.server = bureau().serve(*options)
        return self.server

    def __exit__(self, kind, value, tb):
        if kind is not None:
            self.server.kill()
            return False
        rc = self.server.stop()
        assert rc == 0, f"serve exited {rc} on SIGTERM: {self.server.stderr()[-2000:]}"
        return False


def concrete(path):
    return re.sub(r"\{([^}]+)\}", lambda m: PARAMS[m.group(1)], path)


def cleanup():
    if B:
        B.store.close()


@test
def the_served_openapi_is_docs_openapi_json():
    with Running() as s:
        r = call(s.base, "GET", "/v1/openapi.json")
        assert r.status == 200, r
        assert r.ctype() == "application/json", r.headers.get("Content-Type")
        assert r.json() == spec(), "the served document differs from docs/openapi.json"
        with open(SPEC_PATH, "rb") as f:
            assert r.body == f.read(), "the served document is not docs/openapi.json byte for byte"


@test
def healthz_answers_without_a_key():
    with Running() as s:
        r = call(s.base, "GET", "/healthz")
        assert r.status == 200 and r.json() == {"status": "ok"}, r
        assert r.ctype() == "application/json", r.headers.get("Content-Type")


@test
def every_documented_route_exists():
    """A route that exists answers 401 without a key (not 404 or 405) and 403
    to a role x-roles leaves out: neither can come from a missing route."""
    keys = bureau().keys
    with Running() as s:
        for method, path, o in operations(spec()):
            url = concrete(path)
            r = call(s.base, method, url, body=b"" if method in ("POST", "PUT") else None)
            assert r.status != 405, r
            assert not (r.status == 404 and r.ctype() == "application/problem+json"
                        and r.json().get("type") == "urn:creditref:problem:not-found"), r
            if o["x-roles"] == ["anyone"]:
                assert r.status == 200, r
                continue
            assert_problem(r, 401)
            denied = [x for x in ROLES if x not in o["x-roles"]]
            if not denied:  # every key may: a key answers 200, so the route is there
                r = call(s.base, method, url, keys[ROLES[0]])
                assert r.status == 200, r
                continue
            r = call(s.base, method, url, keys[denied[0]], body=b"{}" if method == "POST" else None)
            assert_problem(r, 403)


@test
def undocumented_paths_are_404():
    keys = bureau().keys
    documented = {p for _, p, _ in operations(spec())}
    with Running() as s:
        for path in UNDOCUMENTED:
            assert path not in documented, path
            for method in ("GET", "POST"):
                for key in (None, keys["operator"]):
                    r = call(s.base, method, path, key, body=b"{}" if method == "POST" else None)
                    assert_problem(r, 404)


@test
def a_wrong_method_is_405_with_allow():
    keys = bureau().keys
    by_path = {}
    for method, path, _ in operations(spec()):
        by_path.setdefault(path, set()).add(method)
    with Running() as s:
        for path, methods in by_path.items():
            for wrong in sorted({"GET", "POST", "PUT", "DELETE", "PATCH"} - methods):
                for key in (None, keys["operator"]):
                    body = b"{}" if wrong in ("POST", "PUT", "PATCH") else None
                    r = call(s.base, wrong, concrete(path), key, body=body)
                    assert_problem(r, 405)
                    allow = {m.strip().upper() for m in r.headers["Allow"].split(",")}
                    assert methods <= allow and wrong not in allow, f"Allow {allow} for {path}: {r!r}"


STATEMENT = ('{"type":"statement","institution":"B0001","account":"API-C-B1","month":"2026-%s",'
             '"balance":5000,"due":500,"paid":500,"overdue":0,"dpd":0,"status":"N"}\n')


@test
def a_body_over_max_body_is_413():
    key = bureau().keys["furnisher"]
    small = STATEMENT % "04"
    big = "".join(STATEMENT % "05" for _ in range(2048 // len(small) + 1))
    assert len(small) < 1024 < len(big.encode())
    with Running("--max-body", "1024") as s:
        r = call(s.base, "POST", "/v1/furnish", key, body=small, ctype="application/x-ndjson")
        assert r.status == 200 and r.json()["accepted"] == 1, r
        r = call(s.base, "POST", "/v1/furnish", key, body=big, ctype="application/x-ndjson")
        assert_problem(r, 413)
        # Chunked: the size is known only while reading.
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        chunks = (big[i:i + 256].encode() for i in range(0, len(big), 256))
        c.request("POST", "/v1/furnish", body=chunks, encode_chunked=True,
                  headers={"Authorization": key.header(), "Content-Type": "application/x-ndjson"})
        resp = c.getresponse()
        assert resp.status == 413, (resp.status, resp.read())
        c.close()
        # A declared size over the limit is refused before the body is sent.
        with socket.create_connection(("127.0.0.1", s.port), timeout=5) as sock:
            sock.sendall(("POST /v1/furnish HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
                          "Content-Type: application/x-ndjson\r\nContent-Length: 10000000\r\n\r\n"
                          % key.header()).encode())
            head = sock.recv(4096).decode("latin-1")
            assert head.startswith("HTTP/1.1 413"), head
        # The 413s stored nothing: the May statement was never accepted.
        r = call(s.base, "POST", "/v1/furnish", key, body=STATEMENT % "05", ctype="application/x-ndjson")
        assert r.status == 200 and r.json()["accepted"] == 1 and r.json()["unchanged"] == 0, r


@test
def the_rate_limit_is_per_key_with_retry_after():
    keys = bureau().keys
    with Running("--rate-limit", "5", "--burst", "5") as s:
        start = time.monotonic()
        answers = [call(s.base, "GET", "/v1/stats", keys["operator"]) for _ in range(20)]
        elapsed = time.monotonic() - start
        other = call(s.base, "GET", "/v1/stats", keys["operator2"])
        ok = [r for r in answers if r.status == 200]
        limited = [r for r in answers if r.status == 429]
        assert len(ok) + len(limited) == 20, [r.status for r in answers]
        assert answers[0].status == 200 and len(ok) >= 5, [r.status for r in answers]
        assert len(ok) <= 5 + 5 * elapsed + 1, f"{len(ok)} served in {elapsed:.2f} s at 5/s, burst 5"
        assert limited, [r.status for r in answers]
        for r in limited:
            assert_problem(r, 429)
        assert other.status == 200, f"another key must still be served: {other!r}"
        wait = int(limited[-1].headers["Retry-After"])
        assert wait <= 5, f"Retry-After {wait} s for a 5/s limit"
        time.sleep(wait)
        r = call(s.base, "GET", "/v1/stats", keys["operator"])
        assert r.status == 200, f"still limited after Retry-After: {r!r}"


@test
def bodies_that_are_not_what_the_route_takes_are_400():
    keys = bureau().keys
    A = "110105198001010016"
    with Running() as s:
        for body in ("{not json", "[]", {"id": A}, {"id": "123", "purpose": "loan_approval"},
                     {"id": A, "purpose": "loan_approval", "colour": "red"}):
            r = call(s.base, "POST", "/v1/reports", keys["lender"], body=body)
            assert_problem(r, 400)


@test
def at_most_1000_rejects_are_listed_and_the_counts_are_complete():
    key = bureau().keys["furnisher"]
    body = "".join('{"type":"statement","institution":"B0001","account":"NOPE-%d"}\n' % i for i in range(1500))
    with Running() as s:
        r = call(s.base, "POST", "/v1/furnish", key, body=body, ctype="application/x-ndjson")
        assert r.status == 200, r
        c = r.json()
        assert c["submitted"] == 1500 and c["rejected"] == 1500 and c["accepted"] == 0, c
        assert len(c["rejects"]) == 1000 and c["rejects_truncated"] is True, len(c["rejects"])
        assert [x["line"] for x in c["rejects"]] == list(range(1, 1001)), c["rejects"][:3]


def http_get_on(sock, path="/healthz"):
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())


def read_response(sock, timeout):
    """The status line of what comes back, '' for a close, None for nothing."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return data.decode("latin-1")
            data += chunk
    except socket.timeout:
        return None if not data else data.decode("latin-1")
    except (ConnectionResetError, BrokenPipeError):
        return ""
    return data.split(b"\r\n", 1)[0].decode("latin-1")


@test
def connections_over_max_connections_are_refused():
    with Running("--max-connections", "4", "--threads", "2") as s:
        held = []
        try:
            for _ in range(4):  # served once each, then held open idle (keep-alive)
                c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                http_get_on(c)
                line = read_response(c, 5)
                assert line and line.startswith("HTTP/1.1 200"), line
                held.append(c)
            try:
                fifth = socket.create_connection(("127.0.0.1", s.port), timeout=3)
                try:
                    http_get_on(fifth)
                    line = read_response(fifth, 3)
                except (ConnectionResetError, BrokenPipeError):
                    line = ""
                fifth.close()
            except (ConnectionRefusedError, ConnectionResetError, socket.timeout):
                line = ""
            assert not (line or "").startswith("HTTP/1.1 200"), \
                f"a fifth connection was served while four were held: {line!r}"
        finally:
            for c in held:
                c.close()
        deadline = time.monotonic() + 5
        while True:  # once they are gone, connections are served again
            r = call(s.base, "GET", "/healthz", timeout=3)
            if r.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert r.status == 200, r


@test
def an_idle_or_partial_connection_is_closed_after_timeout():
    with Running("--timeout", "2") as s:
        for partial in (b"", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"):
            with socket.create_connection(("127.0.0.1", s.port), timeout=8) as c:
                start = time.monotonic()
                if partial:
                    c.sendall(partial)
                c.settimeout(8)
                data = b""
                try:
                    while True:
                        chunk = c.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except socket.timeout:
                    raise AssertionError(f"still open after 8 s with --timeout 2 ({partial!r})")
                except ConnectionResetError:
                    pass
                elapsed = time.monotonic() - start
                assert 1.0 <= elapsed <= 5.0, f"closed after {elapsed:.1f} s with --timeout 2"
                assert not data.startswith(b"HTTP/1.1 200"), data


def furnisher_file(tmp, inst="B0001"):
    """A generated file: its institution lines, and every record of inst."""
    gen = os.path.join(tmp, "gen.jsonl")
    run("gen", "--subjects", "1000", "--institutions", "4", "--seed", "11", "--consent-rate", "1",
        "--as-of", ASOF, "--out", gen)
    insts, mine = [], []
    with open(gen, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["type"] == "institution":
                insts.append(line)
            elif r.get("institution") == inst:
                mine.append(line)
    os.unlink(gen)
    return "".join(insts), "".join(mine).encode(), len(mine), sum('"type":"account"' in l for l in mine)


def stats(db):
    out = run("stats", "--db", db).stdout
    return {k: int(v) for k, v in re.findall(r"^([a-z_]+)=([0-9]+)$", out, re.M)}


@test
def sigterm_lets_a_large_upload_finish_durably():
    tmp = bureau().store.dir
    db = os.path.join(tmp, "shutdown-db")
    run("init", "--db", db)
    insts, body, lines, accounts = furnisher_file(tmp)
    assert len(body) > 3_000_000, len(body)
    with open(os.path.join(tmp, "institutions.jsonl"), "w", encoding="utf-8") as f:
        f.write(insts)
    run("ingest", "--db", db, "--as-of", ASOF, os.path.join(tmp, "institutions.jsonl"))
    key = issue(db, "furnisher", institution="B0001")
    before = stats(db)
    s = Server(db, "--rate-limit", "0")
    result = {}
    half_sent, signalled = threading.Event(), threading.Event()

    def upload():
        try:
            c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
            c.putrequest("POST", "/v1/furnish")
            c.putheader("Authorization", key.header())
            c.putheader("Content-Type", "application/x-ndjson")
            c.putheader("Content-Length", str(len(body)))
            c.endheaders()
            c.send(body[:len(body) // 2])
            half_sent.set()
            signalled.wait(10)
            c.send(body[len(body) // 2:])
            resp = c.getresponse()
            result["status"], result["body"] = resp.status, resp.read()
            c.close()
        except Exception as e:  # reported by the assertions below
            result["error"] = repr(e)
            half_sent.set()

    t = threading.Thread(target=upload)
    t.start()
    try:
        assert half_sent.wait(20), "the upload did not start"
        time.sleep(0.2)
        s.proc.send_signal(15)
        time.sleep(0.5)
        signalled.set()
        # No new connection is served once it is shutting down.
        try:
            r = call(s.base, "GET", "/healthz", timeout=3)
            assert r.status != 200 or r.json().get("status") != "ok", f"served while draining: {r!r}"
        except OSError:
            pass
        t.join(60)
        assert not t.is_alive(), "the upload did not finish"
        rc = s.wait(timeout=30)
    except Exception:
        signalled.set()
        s.kill()
        raise
    assert "error" not in result, result
    assert result["status"] == 200, result
    c = json.loads(result["body"])
    assert c["submitted"] == lines, (c["submitted"], lines)
    assert c["submitted"] == c["accepted"] + c["rejected"] + c["held"] + c["unchanged"], c
    assert c["rejected"] == 0 and c["accepted"] > 0, {k: v for k, v in c.items() if k != "rejects"}
    assert rc == 0, f"serve exited {rc}: {s.stderr()[-2000:]}"
    after = stats(db)
    assert after["accounts"] - before["accounts"] == accounts, (before, after, accounts)
    s2 = Server(db, "--rate-limit", "0")
    try:
        r = call(s2.base, "GET", "/healthz")
        assert r.status == 200, r
    finally:
        assert s2.stop() == 0
    assert "chain intact" in run("audit", "verify", "--db", db).stdout
    shutil.rmtree(db, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main("e2e-api-contract", cleanup))
