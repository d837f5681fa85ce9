#!/usr/bin/env python3
"""Institution codes with "_" and "-" (docs/FORMAT.md: 1-15 characters of
A-Z a-z 0-9 _ -) are codes like any other, everywhere: B_01 and L-02 are
furnished, get keys (from the CLI and over HTTP), furnish, answer disputes,
ask for reports and scores, change consents, read alerts and run a webhook,
and every act is answered normally and audited under the code (issue 14:
the audit writer refused such codes, so every audited act of theirs
answered 500 and took its commit group down with it).  Anything that is
not a code is refused at the door, the same way on every path."""
import http.server
import json
import os
import shutil
import tempfile
import threading
import time
import urllib.parse

from harness import main, run, test
from apiserver import seeded_store, ASOF, Server, assert_problem, call, issue

P = "11010519491231002X"
SETUP = [
    {"type": "institution", "code": "B_01", "name": "Underscore Bank", "kind": "bank"},
    {"type": "institution", "code": "L-02", "name": "Dash Lender", "kind": "platform"},
    {"type": "institution", "code": "C-3_x", "name": "Mixed Lender", "kind": "microlender"},
    {"type": "consent", "id": P, "institution": "B_01", "scope": "furnish", "granted": "2025-01-01"},
    {"type": "consent", "id": P, "institution": "L-02", "scope": "furnish", "granted": "2025-01-01"},
    {"type": "account", "institution": "L-02", "account": "L02-1", "id": P, "name": "张三",
     "product": "installment", "opened": "2025-03-01", "principal": 1200000, "term_months": 24},
]


def jsonl(recs):
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n"


class Receiver:
    """A webhook receiver on 127.0.0.1 that accepts every delivery."""

    def __init__(self):
        self.bodies = []
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                rec.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class World:
    def __init__(self):
        self.dir, self.db = seeded_store("creditref-codes-", jsonl(SETUP))
        # The CLI's --institution takes such a code too.
        run("consent", "grant", "--db", self.db, "--id", P, "--institution", "L-02", "--scope", "query",
            "--purpose", "loan_approval", "--as-of", "2026-01-01")
        self.k = {"b01": issue(self.db, "furnisher", "B_01"), "l02": issue(self.db, "lender", "L-02"),
                  "l02_furn": issue(self.db, "furnisher", "L-02"), "subject": issue(self.db, "subject", pid=P),
                  "operator": issue(self.db, "operator")}
        self.server = Server(self.db, "--rate-limit", "0", "--webhook-allow-private",
                             "--webhook-backoff", "100")
        self.responses = []

    def call(self, method, path, key, body=None, **kw):
        r = call(self.server.base, method, path, self.k[key], body, **kw)
        self.responses.append(r)
        return r

    def audit(self):
        with open(os.path.join(self.db, "audit.log"), encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def close(self):
        self.server.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_for(pred, what, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@test
def codes_with_underscore_and_dash_act_normally_and_are_audited():
    w = World()
    rec = Receiver()
    try:
        # L-02's webhook first, so that B_01's new account below is delivered.
        r = w.call("PUT", "/v1/webhook", "l02", {"url": rec.url()})
        assert r.status == 201, r
        # B_01 furnishes an account with a statement, then a real-time event:
        # L-02, an existing creditor, is alerted of the new account.
        body = jsonl([
            {"type": "account", "institution": "B_01", "account": "B01-1", "id": P, "name": "张三",
             "product": "revolving", "opened": "2026-06-01", "credit_limit": 500000},
            {"type": "statement", "institution": "B_01", "account": "B01-1", "month": "2026-06",
             "balance": 10000, "due": 1000, "paid": 0, "overdue": 0, "dpd": 0, "status": "N"}])
        r = w.call("POST", "/v1/furnish", "b01", body, ctype="application/x-ndjson")
        assert r.status == 200 and r.json()["accepted"] == 2, r
        ev = {"type": "event", "institution": "B_01", "account": "B01-1", "event_id": "e-1",
              "at": "2026-06-20T10:00:00+08:00", "kind": "drawdown", "amount": 5000}
        r = w.call("POST", "/v1/events", "b01", jsonl([ev]), ctype="application/x-ndjson")
        assert r.status == 200 and r.json()["accepted"] == 1, r
        # L-02 asks for a report and a score under the consent the CLI recorded.
        r = w.call("POST", "/v1/reports", "l02", {"id": P, "purpose": "loan_approval"})
        assert r.status == 200, r
        rep = r.json()
        assert rep["report"]["requested_by"] == "L-02", rep["report"]
        assert {a["account"] for a in rep["accounts"]} >= {"B01-1"}, rep["accounts"]
        r = w.call("POST", "/v1/scores", "l02", {"id": P, "purpose": "loan_approval"})
        assert r.status == 200, r
        # L-02 grants itself a consent and revokes it; the person revokes nothing.
        r = w.call("POST", "/v1/consents", "l02", {"type": "consent", "id": P, "institution": "L-02",
                                                    "scope": "query", "purpose": "card_approval",
                                                    "granted": ASOF})
        assert r.status == 200, r
        r = w.call("POST", "/v1/consents/revoke", "l02", {"id": P, "institution": "L-02", "scope": "query",
                                                          "purpose": "card_approval"})
        assert r.status == 200, r
        r = w.call("POST", "/v1/consents/list", "l02", {"id": P})
        assert r.status == 200 and r.json()["consents"], r
        # The person disputes B_01's account; B_01 lists and verifies it.
        r = w.call("POST", "/v1/me/disputes", "subject", {"institution": "B_01", "account": "B01-1",
                                                          "month": "2026-06", "reason": "金额不对"})
        assert r.status == 201, r
        d = r.json()["dispute_id"]
        r = w.call("GET", "/v1/disputes", "b01")
        assert r.status == 200 and d in [x["dispute_id"] for x in r.json()["disputes"]], r
        r = w.call("POST", f"/v1/disputes/{d}/verify", "b01", {})
        assert r.status == 200, r
        # Alerts, read and delivered.
        r = w.call("GET", "/v1/alerts", "l02")
        assert r.status == 200 and r.json()["alerts"], r
        wait_for(lambda: rec.bodies, "the webhook delivery to L-02")
        wait_for(lambda: any(e["action"] == "webhook_delivery" and e["outcome"] == "granted"
                             for e in w.audit()), "the delivery's audit entry")
        r = w.call("DELETE", "/v1/webhook", "l02")
        assert r.status == 200, r
        # A key for a third such code, issued over HTTP.
        r = w.call("POST", "/v1/keys", "operator", {"role": "lender", "institution": "C-3_x"})
        assert r.status == 201 and r.json()["key"]["institution"] == "C-3_x", r

        bad = [x for x in w.responses if x.status >= 500]
        assert not bad, f"answered 5xx: {bad}"
        acts = {}
        for e in w.audit():
            inst = e["actor"]["institution"]
            if inst in ("B_01", "L-02"):
                acts.setdefault(inst, set()).add(e["action"])
        assert acts.get("B_01", set()) >= {"furnish", "dispute_list", "dispute_verify"}, acts
        assert acts.get("L-02", set()) >= {"report", "score", "consent_grant", "consent_revoke", "consent_list",
                                           "alert_delivery", "webhook_register", "webhook_delivery",
                                           "webhook_delete"}, acts
        details = " ".join(e["detail"] for e in w.audit())
        assert "institution=C-3_x" in details and "dispute=%d institution=B_01" % d in details, details
        assert w.server.stop() == 0
        assert "chain intact" in run("audit", "verify", "--db", w.db).stdout
        # The CLI acts for them as well.
        out = run("report", "--db", w.db, "--id", P, "--as", "L-02", "--purpose", "loan_approval",
                  "--as-of", ASOF).stdout
        assert json.loads(out)["report"]["requested_by"] == "L-02", out
        run("alerts", "config", "--db", w.db, "--institution", "L-02", "--inquiries", "3")
        assert "chain intact" in run("audit", "verify", "--db", w.db).stdout
    finally:
        rec.stop()
        w.close()


@test
def what_is_not_a_code_is_refused_the_same_way_everywhere():
    w = World()
    try:
        reason = "not an institution code (1-15 characters of A-Z a-z 0-9 _ -)"
        lines = []
        for bad in ("L 02", "L.02", "银行", "L0002" * 4, ""):
            # The format, over HTTP and from a file.
            lines.append({"type": "institution", "code": bad, "name": "x", "kind": "bank"})
            r = w.call("POST", "/v1/consents", "l02", {"type": "consent", "id": P, "institution": bad,
                                                        "scope": "query", "purpose": "loan_approval",
                                                        "granted": ASOF})
            assert_problem(r, 400)
            rej = r.json()["rejects"][0]
            assert rej["field"] == "institution", r
            # Bodies parsed by the handlers: the same sentence.
            for method, path, key, body in (
                    ("POST", "/v1/consents/revoke", "subject", {"id": P, "institution": bad, "scope": "query"}),
                    ("POST", "/v1/me/disputes", "subject", {"institution": bad, "account": "L02-1", "reason": "x"}),
                    ("POST", "/v1/keys", "operator", {"role": "lender", "institution": bad})):
                r = w.call(method, path, key, body)
                p = assert_problem(r, 400)
                if 0 < len(bad.encode()) <= 15:   # else its length is named first
                    assert reason in p["detail"], r
            if bad:
                r = w.call("GET", "/v1/supervision/quality?institution=" + urllib.parse.quote(bad), "l02")
                assert reason in assert_problem(r, 400)["detail"], r
            # The CLI: --as and --institution, before anything is opened.
            for words, opts in ((("report",), ("--id", P, "--as", bad, "--purpose", "loan_approval")),
                                (("consent", "grant"), ("--id", P, "--institution", bad, "--scope", "furnish")),
                                (("keys", "add"), ("--role", "lender", "--institution", bad))):
                p = run(*words, "--db", w.db, *opts, ok=False)
                assert p.returncode == 2, (words, bad, p.returncode, p.stderr)
                if bad:
                    assert reason in p.stderr, (words, p.stderr)
        assert not [x for x in w.responses if x.status >= 500]
        assert w.server.stop() == 0
        # A furnishing file: every such line rejected, naming the field.
        src = os.path.join(w.dir, "bad.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            f.write(jsonl(lines))
        out = run("ingest", "--db", w.db, "--as-of", ASOF, src, ok=False).stdout
        assert f" rejected={len(lines)} " in out, out
    finally:
        w.close()


if __name__ == "__main__":
    raise SystemExit(main("inst_codes"))
