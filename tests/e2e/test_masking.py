#!/usr/bin/env python3
"""No error message and no audit entry carries a personal identifier in
clear (DESIGN.md rule 5; issue 14: a refused consent wrote the ID it held
into audit.log, and a truncated JSON body had the ID echoed back in the 400
detail).  A check over all of them, not one site: resident IDs (whole, cut,
inside other text, with x or X) and mobile numbers are put in every string
field of bad bodies, in unknown field names, in query strings and paths, on
every route that takes them, and bodies are cut at every byte of the ID;
every error response, every reject of a furnished body, every line of
audit.log and every error of the CLI is then searched for them."""
import json
import os
import re
import urllib.parse

from harness import main, run, test
from apiserver import ASOF, Server, Store, call, issue

ID = "11010519491231002X"       # a valid resident ID (birth date 1949-12-31)
MOBILE = "13912345678"
VALUES = [ID, ID.lower(), "x" + ID + "y", ID[:17], "id " + ID[:15] + " end", MOBILE,
          "tel:" + MOBILE, ID + MOBILE]
# What must never show: the ID, its birth date (a cut ID shows it), the
# region and birth year together, the mobile number and its middle.
FORBIDDEN = re.compile("|".join(re.escape(x) for x in
                                (ID[:17], ID[6:14], ID[:10], "110105194912", MOBILE, MOBILE[3:7] + MOBILE[7:])) +
                       r"|(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])|(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
A = "110105198001010016"


def stmt(**kw):
    s = {"type": "statement", "institution": "B0001", "account": "API-A-B1", "month": "2026-06",
         "balance": 1, "due": 1, "paid": 1, "overdue": 0, "dpd": 0, "status": "N"}
    s.update(kw)
    return s


# (method, path, key, body): one body per route; each of its string fields
# in turn gets each value of VALUES.
BODIES = [
    ("POST", "/v1/consents", "subject", {"type": "consent", "id": A, "institution": "L0001", "scope": "query",
                                         "purpose": "loan_approval", "granted": ASOF, "expires": "2027-01-01",
                                         "evidence": "sha256:x"}),
    ("POST", "/v1/consents", "lender", {"type": "consent", "id": A, "institution": "L0001", "scope": "query",
                                        "purpose": "card_approval", "granted": ASOF}),
    ("POST", "/v1/consents/revoke", "subject", {"id": A, "institution": "L0001", "scope": "query",
                                                "purpose": "loan_approval", "evidence": "sha256:x"}),
    ("POST", "/v1/consents/revoke", "lender", {"id": A, "institution": "L0001", "scope": "query",
                                               "purpose": "guarantee"}),
    ("POST", "/v1/consents/list", "lender", {"id": A}),
    ("POST", "/v1/reports", "lender", {"id": A, "purpose": "loan_approval"}),
    ("POST", "/v1/scores", "lender", {"id": A, "purpose": "loan_approval"}),
    ("POST", "/v1/me/disputes", "subject", {"institution": "B0001", "account": "API-A-B1", "month": "2026-02",
                                            "reason": "paid on time"}),
    ("POST", "/v1/disputes/999/correct", "furnisher", stmt()),
    ("POST", "/v1/keys", "operator", {"role": "lender", "institution": "L0001"}),
    ("POST", "/v1/keys", "operator", {"role": "subject", "id": A}),
    ("PUT", "/v1/webhook", "lender", {"url": "https://hooks.example.com/x"}),
    ("POST", "/v1/supervision/shelf/delist", "supervisor", {"platform": "L0002", "product": "P1",
                                                            "reason": "mis-sold", "effective": ASOF}),
    ("POST", "/v1/supervision/shelf/delist", "supervisor", {"platform": "L0002", "category": "loan",
                                                            "reason": "mis-sold", "effective": ASOF}),
    ("POST", "/v1/shelf", "lender", {"id": A}),
]
# Furnished lines: the body is JSON Lines, answered 200 with its rejects.
LINES = [
    ("/v1/furnish", stmt()),
    ("/v1/furnish", {"type": "account", "institution": "B0001", "account": "API-A-B1", "id": A, "name": "甲一",
                     "phone": "13800000000", "address": "北京", "product": "revolving", "opened": "2025-12-15",
                     "credit_limit": 2000000, "currency": "CNY"}),
    ("/v1/furnish", {"type": "consent", "id": A, "institution": "B0001", "scope": "furnish", "granted": ASOF}),
    ("/v1/events", {"type": "event", "institution": "B0001", "account": "API-A-B1", "event_id": "e1",
                    "at": "2026-06-20T10:00:00+08:00", "kind": "repayment", "amount": 100}),
]
QUERIES = [
    ("/v1/supervision/quality", "supervisor", ("institution", "from", "to")),
    ("/v1/supervision/colending", "supervisor", ("institution", "month", "from", "to", "floor_bp")),
    ("/v1/supervision/aggregates", "supervisor", ("month", "by")),
    ("/v1/alerts", "lender", ("after", "limit")),
]
PATHS = [("GET", "/v1/{}", "lender"), ("DELETE", "/v1/keys/{}", "operator"),
         ("POST", "/v1/disputes/{}/verify", "furnisher"), ("GET", "/v1/me/{}", "subject")]


class World:
    def __init__(self):
        self.store = Store("creditref-masking-")
        db = self.store.db
        self.k = {"lender": issue(db, "lender", "L0001"), "furnisher": issue(db, "furnisher", "B0001"),
                  "subject": issue(db, "subject", pid=A), "operator": issue(db, "operator"),
                  "supervisor": issue(db, "supervisor")}
        self.server = Server(db, "--rate-limit", "0")
        self.sent = 0
        self.leaks = []

    def send(self, method, path, key, body=None, ctype="application/json", rejects_only=False):
        r = call(self.server.base, method, path, self.k[key], body, ctype=ctype)
        self.sent += 1
        if r.status >= 500:
            self.leaks.append(("5xx", r))
        if r.status >= 400:
            text = r.text()
        elif rejects_only:
            text = json.dumps(r.json().get("rejects", []), ensure_ascii=False)
        else:
            return r
        if FORBIDDEN.search(text):
            self.leaks.append((FORBIDDEN.search(text).group(0), r))
        return r

    def close(self):
        self.server.kill()
        self.store.close()


def variants(body):
    """body with each string field, and an unknown field's name, set to each value."""
    for f, v in body.items():
        if isinstance(v, str):
            for x in VALUES:
                yield dict(body, **{f: x})
    for x in VALUES:
        yield dict(body, **{x: "1"})


def cuts(body):
    """The body as text cut at every byte of an ID placed in it."""
    f = next((k for k, v in body.items() if isinstance(v, str) and k != "type"), None)
    text = json.dumps(dict(body, **{f: ID}), ensure_ascii=False)
    at = text.index(ID)
    for n in range(at - 1, at + len(ID) + 2):
        yield text[:n]


@test
def identifiers_never_reach_an_error_or_the_audit_trail():
    w = World()
    try:
        for method, path, key, body in BODIES:
            for b in variants(body):
                w.send(method, path, key, b)
            for t in cuts(body):
                w.send(method, path, key, t)
        for path, line in LINES:
            for b in variants(line):
                w.send("POST", path, "furnisher", json.dumps(b, ensure_ascii=False) + "\n",
                       ctype="application/x-ndjson", rejects_only=True)
            for t in cuts(line):
                w.send("POST", path, "furnisher", t + "\n", ctype="application/x-ndjson", rejects_only=True)
        for path, key, params in QUERIES:
            for p in params:
                for x in VALUES:
                    w.send("GET", f"{path}?{p}={urllib.parse.quote(x)}", key)
        for method, pattern, key in PATHS:
            for x in VALUES:
                w.send(method, pattern.format(urllib.parse.quote(x)), key)
        assert w.sent > 1000, w.sent
        assert not w.leaks, f"{len(w.leaks)} responses carry an identifier, e.g. {w.leaks[:3]}"
        assert w.server.stop() == 0
        trail = open(os.path.join(w.store.db, "audit.log"), encoding="utf-8").read().splitlines()
        texts = [(e["reason"], e["detail"], e["actor"]["institution"]) for e in map(json.loads, trail)]
        leaked = [t for t in texts if FORBIDDEN.search(" ".join(t))]
        assert not leaked, f"{len(leaked)} audit entries of {len(texts)} carry an identifier: {leaked[:3]}"
        assert "chain intact" in run("audit", "verify", "--db", w.store.db).stdout
        # The CLI's errors, for the same values in its options.
        db = w.store.db
        for x in VALUES:
            for args in (("report", "--db", db, "--id", x, "--as", "L0001", "--purpose", "loan_approval"),
                         ("report", "--db", db, "--id", A, "--as", x, "--purpose", x),
                         ("consent", "grant", "--db", db, "--id", x, "--institution", "L0001", "--scope", "query"),
                         ("consent", "grant", "--db", db, "--id", A, "--institution", x, "--scope", x),
                         ("dispute", "file", "--db", db, "--id", A, "--institution", "B0001", "--account", x,
                          "--reason", x),
                         ("keys", "add", "--db", db, "--role", "lender", "--institution", x + "!"),
                         ("alerts", "config", "--db", db, "--institution", x, "--inquiries", x),
                         ("stats", "--db", db, "--as-of", x)):
                p = run(*args, ok=False)
                if p.returncode == 0:   # not an error (a phone-shaped code is a code)
                    continue
                m = FORBIDDEN.search(p.stderr + p.stdout)
                assert not m, (args, m.group(0), p.stderr)
        trail = open(os.path.join(db, "audit.log"), encoding="utf-8").read().splitlines()
        leaked = [e for e in map(json.loads, trail) if FORBIDDEN.search(e["reason"] + " " + e["detail"])]
        assert not leaked, leaked[:3]
    finally:
        w.close()


if __name__ == "__main__":
    raise SystemExit(main("masking-errors"))
