#!/usr/bin/env python3
"""End-to-end tests of webhook delivery (docs/alerts.md, "Webhooks") against
real local receivers: Python HTTP servers on 127.0.0.1 that fail on purpose
(500, a redirect, a closed connection, being down, hanging past the timeout)
before they accept.  Checks that every delivery is signed with the secret
given at registration, that failures are retried with growing gaps and
nothing is lost, that the cursor moves only on a 2xx, that every attempt is
in the audit trail, that a hanging receiver delays no other institution nor
the committer nor shutdown, and who may manage a webhook."""
import hashlib
import hmac
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import time

from harness import main, run, test
from apiserver import seeded_store, ASOF, Server, assert_problem, call, issue

P = "11010519491231002X"
TIMEOUT_S = 2
BACKOFF_MS = 100
SETUP = [
    {"type": "institution", "code": "B0001", "name": "Watching Bank", "kind": "bank"},
    {"type": "institution", "code": "B0002", "name": "Second Watcher", "kind": "bank"},
    {"type": "institution", "code": "B0003", "name": "New Lender", "kind": "platform"},
] + [{"type": "consent", "id": P, "institution": c, "scope": "furnish", "granted": "2025-01-01"}
     for c in ("B0001", "B0002", "B0003")] + [
    {"type": "account", "institution": "B0001", "account": "WATCH-B1", "id": P, "name": "张三",
     "product": "revolving", "opened": "2025-01-05", "credit_limit": 5000000},
    {"type": "account", "institution": "B0002", "account": "WATCH-B2", "id": P, "name": "张三",
     "product": "revolving", "opened": "2026-06-05", "credit_limit": 3000000},
]


def jsonl(recs):
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n"


def wait_for(pred, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def verify(secret, header, body, tolerance_s=300):
    fields = dict(part.split("=", 1) for part in header.split(","))
    t, sig = fields["t"], fields["v1"]
    mac = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, sig) and abs(time.time() - int(t)) <= tolerance_s


class Receiver:
    """An HTTP receiver on 127.0.0.1 whose answers follow a script: "ok"
    (200), "500", "302" (a redirect to /elsewhere), "close" (the connection
    closed without an answer), "hang" (no answer for longer than the
    server's timeout); after the script, `default`.  It can be stopped and
    started again on the same port (a receiver that is down)."""

    def __init__(self, script=(), default="ok"):
        self.script, self.default = list(script), default
        self.requests = []     # (monotonic time, path, headers, body, action)
        self.lock = threading.Lock()
        self.port = 0
        self.httpd = None
        self.start()

    def start(self):
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with rec.lock:
                    action = rec.script.pop(0) if rec.script else rec.default
                    rec.requests.append((time.monotonic(), self.path, dict(self.headers), body, action))
                if action == "close":
                    self.close_connection = True
                    return
                if action == "hang":
                    time.sleep(TIMEOUT_S + 3)
                    return
                status = {"ok": 200, "500": 500, "302": 302}[action]
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def snapshot(self):
        with self.lock:
            return list(self.requests)

    def accepted(self):
        return [r for r in self.snapshot() if r[4] == "ok"]

    def cursors(self):
        """Every cursor of every accepted delivery, in order."""
        return [int(a["cursor"]) for r in self.accepted() for a in json.loads(r[3])["alerts"]]


class World:
    def __init__(self):
        self.dir, self.db = seeded_store("creditref-webhooks-", jsonl(SETUP))
        self.k = {"b1": issue(self.db, "lender", "B0001"), "b1_furn": issue(self.db, "furnisher", "B0001"),
                  "b2": issue(self.db, "lender", "B0002"), "b3_furn": issue(self.db, "furnisher", "B0003"),
                  "subject": issue(self.db, "subject", pid=P), "supervisor": issue(self.db, "supervisor"),
                  "operator": issue(self.db, "operator")}
        self.n_accounts = 0
        self.server = Server(self.db, "--rate-limit", "0", "--webhook-backoff", str(BACKOFF_MS),
                             "--webhook-timeout", str(TIMEOUT_S), "--webhook-allow-private")

    def call(self, method, path, key=None, body=None, **kw):
        return call(self.server.base, method, path, self.k[key] if key else None, body, **kw)

    def new_accounts(self, n=1):
        """B0003 opens n new accounts with P: one new_account alert each for
        B0001 and B0002.  Returns how long the furnishing request took."""
        recs = []
        for _ in range(n):
            self.n_accounts += 1
            recs.append({"type": "account", "institution": "B0003", "account": f"NEW-B3-{self.n_accounts:04d}",
                         "id": P, "name": "张三", "product": "installment", "opened": "2026-06-01",
                         "principal": 100000, "term_months": 12})
        t0 = time.monotonic()
        r = self.call("POST", "/v1/furnish", "b3_furn", jsonl(recs), ctype="application/x-ndjson")
        took = time.monotonic() - t0
        assert r.status == 200 and r.json()["accepted"] == n, r
        return took

    def hook(self, key="b1"):
        r = self.call("GET", "/v1/webhook", key)
        assert r.status == 200, r
        return r.json()

    def audit(self):
        with open(os.path.join(self.db, "audit.log"), encoding="utf-8") as f:
            return [json.loads(line) for line in f if '"webhook_' in line]

    def close(self):
        if self.server:
            self.server.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


W = None
R1 = None   # B0001's receiver
SECRET = {}


def world():
    global W
    if W is None:
        W = World()
    return W


@test
def registration_answers_a_secret_once_and_starts_at_the_end_of_the_feed():
    global R1
    w = world()
    # B0001 has had alert 1 since the setup (B0002's account, opened in the
    # last 30 days, is new to it);
    # alert 2, for each watcher, is raised before any webhook.
    w.new_accounts(1)
    R1 = Receiver(script=["500", "302", "close", "500"])
    r = w.call("PUT", "/v1/webhook", "b1", {"url": R1.url()})
    assert r.status == 201, r
    doc = r.json()
    assert doc["url"] == R1.url() and doc["cursor"] == "2", doc
    assert doc["secret"].startswith("whsec_") and len(doc["secret"]) == 49, doc
    SECRET["b1"] = doc["secret"]
    got = w.hook()
    assert "secret" not in got and doc["secret"] not in json.dumps(got), got
    assert got["delivery"] == {"cursor": "2", "backlog": 0, "failures": 0, "last_attempt": None,
                               "last_status": None, "last_error": None, "next_attempt": None}, got
    time.sleep(0.3)
    assert R1.snapshot() == [], "an alert raised before the registration was pushed"


@test
def failures_are_retried_with_growing_gaps_until_accepted_and_nothing_is_lost():
    w = world()
    w.new_accounts(2)   # alerts 3 and 4
    wait_for(lambda: R1.accepted(), what="an accepted delivery")
    w.new_accounts(1)   # alert 5, after the first acceptance
    wait_for(lambda: 5 in R1.cursors(), what="alert 5")
    reqs = R1.snapshot()
    assert [r[4] for r in reqs[:5]] == ["500", "302", "close", "500", "ok"], [r[4] for r in reqs]
    assert all(r[1] == "/hook" for r in reqs), "a redirect was followed"
    assert R1.cursors() == [3, 4, 5], R1.cursors()
    # The same page at the same cursor until it was accepted.
    assert {r[2]["Creditref-Delivery"] for r in reqs[:5]} <= {"3-4"}, [r[2] for r in reqs[:5]]
    assert [r[2]["Creditref-Attempt"] for r in reqs[:5]] == ["1", "2", "3", "4", "5"]
    gaps = [b[0] - a[0] for a, b in zip(reqs[:5], reqs[1:5])]
    for n, gap in enumerate(gaps, 1):   # wait after the n-th failure: in [d/2, d], d = 100 ms * 2^(n-1)
        assert gap >= BACKOFF_MS * 2 ** (n - 1) / 2 / 1000 - 0.01, gaps
    assert gaps[2] > gaps[0] and gaps[3] > gaps[1], f"gaps do not grow: {gaps}"
    st = wait_for(lambda: (lambda h: h if h["delivery"]["cursor"] == "5" else None)(w.hook()), what="cursor 5")
    d = st["delivery"]
    assert d["backlog"] == 0 and d["failures"] == 0 and d["last_status"] == 200 and d["last_error"] is None, d
    assert d["next_attempt"] is None, d


@test
def every_delivery_is_signed_with_the_secret_and_is_a_page_of_the_feed():
    w = world()
    for t, path, headers, body, action in R1.snapshot():
        assert headers["Content-Type"] == "application/json", headers
        assert headers["Creditref-Institution"] == "B0001", headers
        assert verify(SECRET["b1"], headers["Creditref-Signature"], body), headers["Creditref-Signature"]
        assert not verify(SECRET["b1"], headers["Creditref-Signature"], body + b" "), "a changed body verified"
        page = json.loads(body)
        first, last = headers["Creditref-Delivery"].split("-")
        assert page["alerts"][0]["cursor"] == first and page["next"] == last, (headers, page)
        assert all(a["accounts"] == ["WATCH-B1"] and a["kind"] == "new_account" for a in page["alerts"]), page
        assert b"B0003" not in body and b"NEW-B3" not in body and P.encode() not in body, body
        feed = w.call("GET", f"/v1/alerts?after={int(first) - 1}&limit=100", "b1")
        if action == "ok":
            assert json.loads(feed.body)["alerts"][:len(page["alerts"])] == page["alerts"], (feed, body)


@test
def a_receiver_that_is_down_is_retried_and_gets_everything_when_it_is_back():
    w = world()
    R1.stop()
    w.new_accounts(1)   # alert 6
    st = wait_for(lambda: (lambda h: h if h["delivery"]["last_error"] == "connect" else None)(w.hook()),
                  what="a connection failure")
    d = st["delivery"]
    assert d["cursor"] == "5" and d["backlog"] == 1 and d["failures"] >= 1, d
    assert d["last_status"] is None and d["next_attempt"] is not None, d
    R1.start()
    wait_for(lambda: 6 in R1.cursors(), what="alert 6 after the receiver came back")
    assert R1.cursors() == [3, 4, 5, 6], R1.cursors()
    wait_for(lambda: w.hook()["delivery"]["cursor"] == "6", what="cursor 6")


@test
def every_attempt_is_audited_with_its_outcome():
    w = world()
    entries = [e for e in w.audit() if e["action"] == "webhook_delivery"]
    mine = [e for e in entries if e["actor"] == {"role": "lender", "institution": "B0001"}]
    assert len(mine) == len(entries), entries
    connect = [e for e in mine if "error=connect" in e["detail"]]
    assert connect and all(e["outcome"] == "failed" and e["reason"].startswith("connect") for e in connect), connect
    answered = [e for e in mine if "error=connect" not in e["detail"]]
    want = {"ok": "http=200", "500": "http=500", "302": "http=302", "close": "error=closed"}
    got = [(e["outcome"], e["detail"].rsplit(" ", 1)[1]) for e in answered]
    expect = [("granted" if r[4] == "ok" else "failed", want[r[4]]) for r in R1.snapshot()]
    assert got == expect, f"audit {got} != receiver {expect}"
    assert answered[0]["detail"] == "after=2 next=4 alerts=2 http=500", answered[0]
    assert answered[1]["reason"] == "the receiver answered HTTP 302", answered[1]
    for e in mine:
        assert e["subject"] == "" and P not in json.dumps(e), e
    regs = [e for e in w.audit() if e["action"] == "webhook_register"]
    assert regs and regs[0]["actor"]["institution"] == "B0001" and "host=127.0.0.1:" in regs[0]["detail"], regs
    assert "/hook" not in regs[0]["detail"], regs


@test
def a_hanging_receiver_delays_no_one_else():
    w = world()
    hang = Receiver(default="hang")
    r = w.call("PUT", "/v1/webhook", "b2", {"url": hang.url()})
    assert r.status == 201, r
    before = len(R1.accepted())
    took = w.new_accounts(1)   # alert 7 for B0001, alert 6 for B0002 (its first after registering)
    t0 = time.monotonic()
    wait_for(lambda: len(hang.snapshot()) >= 1, what="the hanging receiver's first request")
    wait_for(lambda: len(R1.accepted()) > before, timeout=TIMEOUT_S, what="B0001's delivery while B0002 hangs")
    assert time.monotonic() - t0 < TIMEOUT_S - 0.5, "B0001 waited for B0002's receiver"
    assert took < 1.0, f"furnishing took {took:.2f} s while a receiver hung"
    assert R1.cursors()[-1] == 7, R1.cursors()
    st = wait_for(lambda: (lambda h: h if h["delivery"]["last_error"] == "timeout" else None)(w.hook("b2")),
                  timeout=TIMEOUT_S + 5, what="B0002's timeout")
    assert st["delivery"]["cursor"] == "5" and st["delivery"]["backlog"] == 1, st
    assert w.hook()["delivery"]["cursor"] == "7"
    timeouts = [e for e in w.audit() if e["action"] == "webhook_delivery" and "error=timeout" in e["detail"]]
    assert timeouts and all(e["actor"]["institution"] == "B0002" for e in timeouts), timeouts


@test
def metrics_count_attempts_failures_deliveries_and_backlog():
    w = world()
    r = w.call("GET", "/metrics", "operator")
    assert r.status == 200, r
    m = {}
    for line in r.text().splitlines():
        if line.startswith("creditref_webhook"):
            name, value = line.rsplit(" ", 1)
            m[name] = int(value)
    assert m["creditref_webhooks"] == 2, m
    assert m["creditref_webhook_delivered_alerts_total"] == 5, m   # B0001's alerts 3..7
    assert m["creditref_webhook_failures_total"] >= 6, m
    assert m["creditref_webhook_attempts_total"] >= m["creditref_webhook_failures_total"] + 3, m
    assert m["creditref_webhook_backlog_alerts"] == 1, m           # B0002's alert 6


@test
def only_a_lender_manages_its_own_webhook():
    w = world()
    for key in ("b1_furn", "b3_furn", "subject", "supervisor", "operator"):
        for method, body in (("PUT", {"url": "https://hooks.example.com/x"}), ("GET", None), ("DELETE", None)):
            assert_problem(w.call(method, "/v1/webhook", key, body), 403)
    for method in ("PUT", "GET", "DELETE"):
        assert_problem(w.call(method, "/v1/webhook", None, {"url": "https://hooks.example.com/x"}), 401)
    mine = w.hook()
    # Another lender sees, replaces and deletes only its own webhook.
    other = w.hook("b2")
    assert other["url"] != mine["url"] and R1.url() not in json.dumps(other), other
    r = w.call("PUT", "/v1/webhook", "b2", {"url": "https://hooks.example.com/b2"})
    assert r.status == 200 and r.json()["cursor"] == "5", r
    assert w.call("DELETE", "/v1/webhook", "b2").status == 200
    assert_problem(w.call("GET", "/v1/webhook", "b2"), 404)
    assert_problem(w.call("DELETE", "/v1/webhook", "b2"), 404)
    assert w.hook() == mine, "another lender's calls changed B0001's webhook"


@test
def bad_registrations_are_400_naming_the_field():
    w = world()
    for url in ("ftp://hooks.example.com/", "https://user:pw@hooks.example.com/", "hooks.example.com/x",
                "https://hooks.example.com/#x", "https://hooks.example.com/" + "a" * 600, "https://",
                "", 17):
        p = assert_problem(w.call("PUT", "/v1/webhook", "b2", {"url": url}), 400)
        assert p["detail"].startswith("url:"), p
    for body, field in (({"url": "https://hooks.example.com/", "after": "x"}, "after:"),
                        ({"url": "https://hooks.example.com/", "after": "99"}, "after:"),
                        ({"url": "https://hooks.example.com/", "secret": "mine"}, "secret:"), ({}, "url:")):
        p = assert_problem(w.call("PUT", "/v1/webhook", "b2", body), 400)
        assert p["detail"].startswith(field), p
    assert_problem(w.call("PUT", "/v1/webhook", "b2", "not json"), 400)
    assert_problem(w.call("GET", "/v1/webhook", "b2"), 404)


@test
def a_second_put_rotates_the_secret_and_after_replays():
    w = world()
    R1.script = []
    r = w.call("PUT", "/v1/webhook", "b1", {"url": R1.url("/hook2"), "after": "4"})
    assert r.status == 200, r
    new = r.json()["secret"]
    assert new != SECRET["b1"] and r.json()["cursor"] == "4", r
    wait_for(lambda: any(x[1] == "/hook2" and x[4] == "ok" for x in R1.snapshot()), what="the replay")
    replay = [x for x in R1.snapshot() if x[1] == "/hook2"]
    for x in replay:
        assert verify(new, x[2]["Creditref-Signature"], x[3]), "not signed with the new secret"
        assert not verify(SECRET["b1"], x[2]["Creditref-Signature"], x[3]), "still signed with the old secret"
    assert [int(a["cursor"]) for a in json.loads(replay[0][3])["alerts"]] == [5, 6, 7], replay[0][3]
    wait_for(lambda: w.hook()["delivery"]["cursor"] == "7", what="cursor 7 again")
    SECRET["b1"] = new


@test
def after_delete_nothing_is_pushed():
    w = world()
    r = w.call("DELETE", "/v1/webhook", "b1")
    assert r.status == 200 and r.json() == {"url": R1.url("/hook2"), "deleted": True, "cursor": "7"}, r
    n = len(R1.snapshot())
    w.new_accounts(1)
    time.sleep(0.5)
    assert len(R1.snapshot()) == n, "a deleted webhook was pushed to"
    assert_problem(w.call("GET", "/v1/webhook", "b1"), 404)
    assert [e["action"] for e in w.audit() if e["action"] != "webhook_delivery"][-1] == "webhook_delete"


@test
def sigterm_stops_a_delivery_in_flight_and_the_trail_holds():
    w = world()
    hang = Receiver(default="hang")
    r = w.call("PUT", "/v1/webhook", "b2", {"url": hang.url(), "after": "0"})
    assert r.status in (200, 201), r
    wait_for(lambda: hang.snapshot(), what="a delivery in flight")
    t0 = time.monotonic()
    assert w.server.stop() == 0, w.server.stderr()[-2000:]
    assert time.monotonic() - t0 < TIMEOUT_S + 3, "shutdown waited on a hanging receiver"
    stopped = [e for e in w.audit() if e["action"] == "webhook_delivery" and "error=stopped" in e["detail"]]
    assert stopped and stopped[-1]["actor"]["institution"] == "B0002", stopped
    w.server = None
    out = run("audit", "verify", "--db", w.db).stdout
    assert "chain intact" in out, out


def cleanup():
    if W:
        W.close()


if __name__ == "__main__":
    sys.exit(main("webhooks", cleanup))
