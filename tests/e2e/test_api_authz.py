#!/usr/bin/env python3
"""The authorization matrix of docs/api.md, walked over HTTP: every role x
every route x own / other object.  Which roles may use a route comes from
x-roles in docs/openapi.json; what "own" and "other" mean for each route is
the RULES table below.  A route in the spec without a rule (or a rule for a
route the spec lacks) fails the suite, so a new route cannot ship untested.

For each route: no key, malformed keys, a wrong secret and a revoked key get
401; every role outside x-roles gets 403 on every object; then the allowed
roles get the cells of the matrix (other objects before own ones, so a
refusal is shown not to have changed anything the allowed call then needs),
and "controls" show that each "other" object is valid for its owner, so a
403 means "not yours" and not "broken request".  Every answer's status must
be one the spec documents for the operation; every error is problem+json."""
import json
import os
import re
import sys

from harness import main, run, test
from apiserver import (ASOF, TOKEN_RE, Key, Server, Store, assert_problem, call, issue, mask,
                       operations, spec, values)

A = "110105198001010016"   # accounts at B0001 and B0002; query consents for L0001
B = "310104198506150023"   # an account at B0002; query consents for L0002
C = "440305199003200034"   # an account at B0001
D = "510107197511110044"   # a query consent for L0001, no credit file
E = "320102199202290055"   # unknown to the bureau
PEOPLE = (A, B, C, D, E)
NAMES = ("甲一", "乙二", "丙三")
ACCOUNTS = ("API-A-B1", "API-A-B2", "API-B-B2", "API-C-B1")
ROLES = ("furnisher", "lender", "subject", "supervisor", "operator")
NO_SUCH_DISPUTE = 999999
NO_SUCH_KEY = "0123456789abcdef"


class World:
    """The store, its disputes, every key, and the running server."""

    def __init__(self):
        self.store = Store("creditref-authz-")
        self.server = None
        try:
            self._setup(self.store.db)
        except Exception:
            self.store.close()
            raise

    def _setup(self, db):
        self.disputes = {}
        for name, pid, inst, acc, month in (("verify", A, "B0001", "API-A-B1", "2026-03"),
                                            ("correct", A, "B0001", "API-A-B1", "2026-04"),
                                            ("other_verify", B, "B0002", "API-B-B2", "2026-03"),
                                            ("other_correct", B, "B0002", "API-B-B2", "2026-04")):
            out = run("dispute", "file", "--db", db, "--id", pid, "--institution", inst,
                      "--account", acc, "--month", month, "--reason", "contested",
                      "--as-of", "2026-06-20").stdout
            self.disputes[name] = int(re.search(r"dispute ([0-9]+) filed", out).group(1))
        self._shelf(db)
        self.keys = {
            "furnisher": issue(db, "furnisher", institution="B0001"),
            "lender": issue(db, "lender", institution="L0001"),
            "subject": issue(db, "subject", pid=A),
            "supervisor": issue(db, "supervisor"),
            "operator": issue(db, "operator"),
            "furnisher2": issue(db, "furnisher", institution="B0002"),
            "lender2": issue(db, "lender", institution="L0002"),
            "subject2": issue(db, "subject", pid=B),
            "spare": issue(db, "subject", pid=C),      # revoked over the API
            "revoked": issue(db, "furnisher", institution="B0001"),
        }
        run("keys", "revoke", "--db", db, self.keys["revoked"].id)
        self.server = Server(db, "--rate-limit", "0")
        self.base = self.server.base

    def _shelf(self, db):
        """Products on the shelves of L0001, L0002 and B0001; A holds SH-1 at
        L0001 and consents to B0001's queries (docs/shelf.md)."""
        src = os.path.join(os.path.dirname(db), "shelf.jsonl")
        with open(src, "w") as f:
            f.write(jsonl(*SHELF))
        run("ingest", "--db", db, "--as-of", ASOF, src)
        run("consent", "grant", "--db", db, "--id", A, "--institution", "B0001", "--scope", "query",
            "--purpose", "post_loan", "--evidence", "sha256:a-b0001-query", "--as-of", ASOF)

    def call(self, method, path, key=None, **kw):
        k = self.keys[key] if isinstance(key, str) else key
        return call(self.base, method, path, key=k, **kw)

    def close(self):
        if self.server:
            self.server.kill()
        self.store.close()


W = None
SETUP_FAILED = None


def world():
    """The one World of the suite; when setting it up failed, every test
    fails with that first error instead of trying again."""
    global W, SETUP_FAILED
    if SETUP_FAILED:
        raise AssertionError(f"setup failed: {SETUP_FAILED}")
    if W is None:
        try:
            W = World()
        except Exception as e:
            SETUP_FAILED = f"{type(e).__name__}: {e}"
            raise
    return W


def cleanup():
    if W:
        W.close()


def no_identifiers(r):
    """Bodies meant for no individual reader: no ID, name or account number."""
    text = r.text()
    for s in PEOPLE + NAMES + ACCOUNTS:
        assert s not in text, f"{s} in {r!r}"


def fail(what):
    raise AssertionError(repr(what))


def jsonl(*records):
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in records)


def counts_reconcile(r):
    c = r.json()
    assert c["submitted"] == c["accepted"] + c["rejected"] + c["held"] + c["unchanged"], c
    return c


def stmt(inst, acc, month, dpd=0, status="N", **over):
    s = {"type": "statement", "institution": inst, "account": acc, "month": month,
         "balance": 50000, "due": 10000, "paid": 10000, "overdue": 0, "dpd": dpd, "status": status}
    s.update(over)
    return s


# ---- what each route's object is, per role and variant ----------------------
#
# A Rule says, for the roles x-roles allows: build(role, variant) -> request
# (path, body), expect[variant] -> status, check(role, variant, response) for
# the content, and control[variant] -> the key of the object's owner, whose
# identical request must succeed.  Roles outside x-roles send the request built
# for the first allowed role and must get 403 for every variant.

class Rule:
    def __init__(self, expect, build, check=None, control=None, before_allowed=None,
                 ctype="application/json", control_check=None):
        self.expect, self.build, self.check = expect, build, check
        self.control, self.control_check = control or {}, control_check
        self.before_allowed = before_allowed
        self.ctype = ctype


def path_only(path):
    return lambda role, variant: (path, None)


def check_health(role, variant, r):
    assert r.json() == {"status": "ok"}, r


def check_console(role, variant, r):
    assert r.ctype() == "text/html", r.headers.get("Content-Type")
    assert '<script type="module" src="/console/console.js">' in r.text(), r
    assert "script-src 'self'" in r.headers.get("Content-Security-Policy", ""), r.headers


def check_console_file(role, variant, r):
    assert r.ctype() == "text/javascript", r.headers.get("Content-Type")
    assert "import" in r.text() and "/v1/whoami" in r.text(), r


def check_whoami(role, variant, r):
    w = world()
    doc = r.json()
    assert doc["role"] == role, (role, doc)
    assert doc["key_id"] == w.keys[role].id, (role, doc)
    assert doc["institution"] == ({"furnisher": "B0001", "lender": "L0001"}.get(role)), doc
    assert doc["as_of"] == ASOF, doc
    no_identifiers(r)


def check_openapi(role, variant, r):
    assert r.json() == spec(), "GET /v1/openapi.json differs from docs/openapi.json"


def check_metrics(role, variant, r):
    assert r.ctype() == "text/plain", r.headers.get("Content-Type")
    assert re.search(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [0-9.eE+-]+", r.text(), re.M), r
    no_identifiers(r)


# furnish and events: "other" is a line naming another institution.
FURNISH = {"own": stmt("B0001", "API-A-B1", "2026-06"), "other": stmt("B0002", "API-A-B2", "2026-04")}


def check_furnish(role, variant, r):
    c = counts_reconcile(r)
    assert c["submitted"] == 1, c
    if variant == "own":
        assert c["accepted"] == 1 and c["rejects"] == [], c   # not "unchanged": a refusal stored nothing
    else:
        assert c["accepted"] == 0 and c["held"] == 0 and c["rejected"] == 1, c
        assert c["rejects"][0]["line"] == 1 and c["rejects"][0]["field"] == "institution", c


EVENTS = {
    "own": {"type": "event", "institution": "B0001", "account": "API-A-B1", "kind": "repayment",
            "date": "2026-06-15", "amount": 10000},
    "other": {"type": "event", "institution": "B0002", "account": "API-A-B2", "kind": "repayment",
              "date": "2026-06-15", "amount": 10000},
}


def check_events(role, variant, r):
    c = counts_reconcile(r)
    assert c["submitted"] == 1, c
    if variant == "own":
        assert all(x["field"] != "institution" for x in c["rejects"]), c
    else:
        assert c["accepted"] == 0 and c["held"] == 0 and c["rejected"] == 1, c


def consent_body(role, variant):
    if role == "furnisher":
        return {"type": "consent", "id": D, "institution": "B0001" if variant == "own" else "B0002",
                "scope": "furnish", "granted": ASOF, "evidence": "sha256:api-furnisher"}
    if role == "lender":
        return {"type": "consent", "id": D, "institution": "L0001" if variant == "own" else "L0002",
                "scope": "query", "purpose": "card_approval", "granted": ASOF}
    return {"type": "consent", "id": A if variant == "own" else B, "institution": "L0002",
            "scope": "query", "purpose": "post_loan", "granted": ASOF}


def revoke_body(role, variant):
    own = variant == "own"
    if role == "furnisher":
        return {"id": C, "institution": "B0001" if own else "B0002", "scope": "furnish"}
    if role == "lender":
        return ({"id": A, "institution": "L0001", "scope": "query", "purpose": "guarantee"} if own else
                {"id": B, "institution": "L0002", "scope": "query", "purpose": "guarantee"})
    return ({"id": A, "institution": "L0001", "scope": "query", "purpose": "card_approval"} if own else
            {"id": B, "institution": "L0002", "scope": "query", "purpose": "card_approval"})


def check_consent_list(role, variant, r):
    inst = {"furnisher": "B0001", "lender": "L0001"}[role]
    doc = r.json()
    named = values(doc, "institution")
    assert all(i == inst for i in named), f"{role} sees facts of {set(named) - {inst}}: {r!r}"
    text = r.text()
    if variant == "own":   # A's facts naming the key's institution, and no other
        want = {"furnisher": ["sha256:a-b0001"], "lender": ["sha256:a-l0001-loan", "sha256:a-l0001-guar"]}[role]
        for e in want:
            assert e in text, f"{e} missing: {r!r}"
        for e in ("sha256:a-b0002", "sha256:a-l0001" if role == "furnisher" else "sha256:a-b0001"):
            assert e not in text, f"{e} shown to {inst}: {r!r}"
    else:                  # B gave nothing to these institutions: nothing shown
        assert named == [] and "sha256:" not in text, r


REPORT = {"own": {"id": A, "purpose": "loan_approval"},
          "other": {"id": B, "purpose": "loan_approval"},      # B consented to L0002 only
          "no_file": {"id": D, "purpose": "loan_approval"},    # consent, but no file: 404
          "no_consent": {"id": E, "purpose": "loan_approval"}, # neither: 403, not 404
          "self": {"id": A, "purpose": "self"}}                # not a lender's purpose: 400


def check_report(role, variant, r, key="lender"):
    rep = r.json()
    pid, inst = {"lender": (A, "L0001"), "lender2": (B, "L0002")}[key]
    assert rep["subject"]["id"] == mask(pid), rep["subject"]
    assert rep["report"]["requested_by"] == inst and rep["report"]["purpose"] == "loan_approval", rep["report"]
    mine = {"lender": {"API-A-B1", "API-A-B2"}, "lender2": {"API-B-B2"}}[key]
    assert {a["account"] for a in rep["accounts"]} <= mine, rep["accounts"]


def check_score(role, variant, r):
    sc = r.json()
    assert set(sc) == {"score", "pd", "model_id", "reasons"}, sc
    assert 350 <= sc["score"] <= 950 and 0 < sc["pd"] < 1 and sc["model_id"], sc
    assert len(sc["reasons"]) <= 4, sc
    lost = [x["points_lost"] for x in sc["reasons"]]
    assert lost == sorted(lost, reverse=True) and all(x > 0 for x in lost), sc
    no_identifiers(r)


def check_my_report(role, variant, r):
    rep = r.json()
    assert rep["subject"]["id"] == mask(A), rep["subject"]
    assert rep["report"]["purpose"] == "self" and rep["report"]["requested_by"] == "", rep["report"]
    assert {a["account"] for a in rep["accounts"]} == {"API-A-B1", "API-A-B2"}, rep["accounts"]


def check_my_consents(role, variant, r):
    text = r.text()
    for e in ("sha256:a-b0001", "sha256:a-b0002", "sha256:a-l0001-loan"):
        assert e in text, f"{e} missing: {r!r}"
    assert "sha256:b-" not in text and "sha256:c-" not in text and "sha256:d-" not in text, r


def check_my_access(role, variant, r):
    assert isinstance(r.json(), dict), r


DISPUTE = {"own": {"institution": "B0001", "account": "API-A-B1", "month": "2026-02", "reason": "paid on time"},
           "other": {"institution": "B0002", "account": "API-B-B2", "month": "2026-02", "reason": "not mine"},
           "missing": {"institution": "B0001", "account": "API-NONE", "reason": "no such account"}}


def check_dispute_filed(role, variant, r):
    d = r.json()
    assert isinstance(d.get("dispute_id"), int) and d["dispute_id"] not in world().disputes.values(), d


def check_my_disputes(role, variant, r):
    accounts = set(values(r.json(), "account"))
    assert "API-A-B1" in accounts and accounts <= {"API-A-B1", "API-A-B2"}, r


def check_alerts(role, variant, r):
    """The key's own feed; an alert never names an institution, and lists
    only account numbers of the key's institution."""
    doc = r.json()
    assert set(doc) == {"alerts", "next"} and isinstance(doc["alerts"], list), r
    assert not re.search(r"\b[BL]000[0-9]\b", r.text()), r
    own = {"furnisher": "B1", "lender": "L1"}[role]
    for a in doc["alerts"]:
        assert all(acct.endswith(own) for acct in a["accounts"]), r


def check_disputes(role, variant, r):
    doc = r.json()
    assert set(values(doc, "institution")) == {"B0001"}, r
    assert set(values(doc, "account")) == {"API-A-B1"}, r
    ids = set(values(doc, "dispute_id"))
    w = world()
    assert {w.disputes["verify"], w.disputes["correct"]} <= ids, r
    assert not {w.disputes["other_verify"], w.disputes["other_correct"]} & ids, r
    # The list showed A's disputes to B0001: A's access log says so; B's does not.
    def listed_by_b0001(who):
        acc = w.call("GET", "/v1/me/access", who).json()["accesses"]
        return [e for e in acc if e["action"] == "dispute_list" and e["institution"] == "B0001"]
    assert listed_by_b0001("subject"), "a furnisher's dispute list is not in the person's access log"
    assert not listed_by_b0001("subject2")


def dispute_path(action):
    def build(role, variant):
        w = world()
        n = {"own": w.disputes[action], "other": w.disputes["other_" + action],
             "missing": NO_SUCH_DISPUTE}[variant]
        body = None
        if action == "correct":
            body = (stmt("B0002", "API-B-B2", "2026-04", balance=100000, due=12000, paid=12000)
                    if variant == "other" else stmt("B0001", "API-A-B1", "2026-04", balance=70000))
        return f"/v1/disputes/{n}/{action}", body
    return build


def check_answered(action):
    def check(role, variant, r):
        d = r.json()
        w = world()
        assert d.get("status") == {"verify": "verified", "correct": "corrected"}[action], d
        listed = w.call("GET", "/v1/disputes", "furnisher").json()
        mine = [x for _, x in _dicts(listed) if x.get("dispute_id") == w.disputes[action]]
        assert mine and mine[0].get("status") == d["status"], listed
        again = w.call("POST", r.path, "furnisher", body=None if action == "verify" else
                       stmt("B0001", "API-A-B1", "2026-04", balance=70000))
        assert_problem(again, 409)
    return check


def _dicts(doc):
    if isinstance(doc, dict):
        yield None, doc
        for v in doc.values():
            yield from _dicts(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from _dicts(v)


def check_stats(role, variant, r):
    assert isinstance(r.json(), dict), r
    no_identifiers(r)


SUP_PATH = "/v1/supervision/aggregates?month=2026-06&by=institution"


def check_supervision(role, variant, r):
    """An institution sees its own cell alone; with a handful of people in
    the store every cell is below the minimum and shows nothing but its key."""
    doc = r.json()
    assert doc["month"] == "2026-06" and doc["by"] == "institution", doc
    own = {"furnisher": "B0001", "lender": "L0001"}.get(role)
    for c in doc["cells"]:
        assert own is None or c["key"] == own, f"{role} sees the cell of {c['key']}: {doc}"
        assert c == {"key": c["key"], "suppressed": True}, c
    if role == "supervisor":
        assert {c["key"] for c in doc["cells"]} >= {"B0001", "B0002"}, doc
    no_identifiers(r)


def check_new_key(role, variant, r):
    k = r.json()
    assert TOKEN_RE.fullmatch(k.get("token", "")), k
    assert k["token"].split("_")[1] == k["key"]["key_id"] and k["key"]["role"] == "subject", k
    rep = world().call("GET", "/v1/me/report", Key(k["token"]))
    assert rep.status == 200 and rep.json()["subject"]["id"] == mask(C), rep


def check_keys(role, variant, r):
    text = r.text()
    w = world()
    for name, k in w.keys.items():
        assert k.id in text, f"key {name} ({k.id}) not listed"
        assert k.token.split("_", 2)[2] not in text, f"the secret of key {name} is listed"
    assert not TOKEN_RE.search(text), r
    no_identifiers(r)


def spare_still_works():
    r = world().call("GET", "/v1/me/consents", "spare")
    assert r.status == 200, f"a refused revocation revoked the key: {r!r}"


def check_key_revoked(role, variant, r):
    w = world()
    assert r.json().get("key_id") == w.keys["spare"].id, r
    assert_problem(w.call("GET", "/v1/me/consents", "spare"), 401)


def check_audit(role, variant, r):
    assert r.json().get("intact") is True, r


WEBHOOK_URL = "https://hooks.example.com/creditref/l0001"


def check_webhook_put(role, variant, r):
    """A new secret each time (a second PUT rotates it); another lender
    does not see the webhook."""
    doc = r.json()
    assert doc["url"] == WEBHOOK_URL and re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", doc["secret"]), doc
    assert doc["cursor"] == "0", doc
    assert doc["secret"] not in world().call("GET", "/v1/webhook", "lender").text(), "GET shows the secret"
    assert_problem(world().call("GET", "/v1/webhook", "lender2"), 404)


def check_webhook_get(role, variant, r):
    doc = r.json()
    assert doc["url"] == WEBHOOK_URL and "secret" not in doc, doc
    assert doc["delivery"]["cursor"] == "0" and doc["delivery"]["backlog"] == 0, doc


def other_lender_cannot_delete():
    w = world()
    assert_problem(w.call("DELETE", "/v1/webhook", "lender2"), 404)
    assert w.call("GET", "/v1/webhook", "lender").status == 200, "another lender deleted the webhook"


def check_webhook_deleted(role, variant, r):
    assert r.json() == {"url": WEBHOOK_URL, "deleted": True, "cursor": "0"}, r
    assert_problem(world().call("GET", "/v1/webhook", "lender"), 404)


# The supervision reads (docs/quality.md): an institution's key reads its
# own rows, naming itself or not; a supervisor reads every institution.
SUPERVISION_INST = {"furnisher": "B0001", "lender": "L0001"}


def supervision_path(path):
    def build(role, variant):
        inst = SUPERVISION_INST.get(role)
        return (path + ("?institution=" + inst if inst else ""), None)
    return build


def check_quality(role, variant, r):
    doc = r.json()
    codes = {x["institution"] for k in ("institutions", "days", "reasons") for x in doc[k]}
    if role in SUPERVISION_INST:
        assert codes <= {SUPERVISION_INST[role]}, doc
    else:
        assert {"B0001", "B0002"} <= codes, doc
    no_identifiers(r)


def check_colending(role, variant, r):
    doc = r.json()
    assert doc["floor_bp"] == 3000, doc
    inst = SUPERVISION_INST.get(role)
    if inst:
        assert all(p["platform"] == inst for p in doc["platforms"]), doc
        assert all(inst in (q["platform"], q["partner"]) for q in doc["partners"]), doc
    no_identifiers(r)


def product(platform, code, category):
    return {"type": "product", "institution": platform, "code": code, "issuer": "B0002",
            "category": category, "licence": "LIC-" + code, "name": "Product " + code}


SHELF = (product("L0001", "SH-1", "wealth"), product("L0001", "SH-2", "loan"),
         product("L0002", "SH-8", "wealth"), product("L0002", "SH-9", "insurance"),
         product("B0001", "SH-3", "internet_deposit"),
         {"type": "holding", "institution": "L0001", "id": A, "product": "SH-1", "since": "2026-02-01"})

# The person's shelf: "own" A (who consented to B0001 and L0001), "other" B
# (who consented to L0002 only; for a subject key, another person).
SHELF_ASK = {"own": {"id": A}, "other": {"id": B}}


def check_shelf(role, variant, r):
    doc = r.json()
    assert set(doc) == {"as_of", "offered", "held", "held_total", "truncated"} and doc["as_of"] == ASOF, doc
    offered = {(p["platform"], p["code"]) for p in doc["offered"]}
    held = [(p["platform"], p["code"], p["delisted"]) for p in doc["held"]]
    if role == "subject":   # every platform; SH-8 is delisted by the supervisor's order
        assert {("L0001", "SH-1"), ("L0001", "SH-2"), ("L0002", "SH-9"), ("B0001", "SH-3")} <= offered, doc
        assert held == [("L0001", "SH-1", False)], doc
        return
    inst = {"furnisher": "B0001", "lender": "L0001"}[role]
    assert offered and all(p == inst for p, _ in offered), doc
    assert held == ([("L0001", "SH-1", False)] if role == "lender" else []), doc
    no_identifiers(r)


DELIST = {"own": {"platform": "L0002", "product": "SH-8", "reason": "unlicensed", "effective": ASOF},
          "missing": {"product": "NO-SUCH", "reason": "unlicensed", "effective": ASOF},
          "bad": {"platform": "L0002", "category": "casino", "reason": "x", "effective": ASOF}}


def check_delisted(role, variant, r):
    doc = r.json()
    assert doc["platform"] == "L0002" and doc["product"] == "SH-8" and doc["effective"] == ASOF, doc
    assert isinstance(doc["order"], int) and doc["order"] >= 1, doc
    shelf = world().call("POST", "/v1/shelf", "lender2", body={"id": B}).json()
    codes = {p["code"] for p in shelf["offered"]}
    assert "SH-8" not in codes and "SH-9" in codes, shelf


RULES = {
    ("GET", "/healthz"): Rule({"own": 200}, path_only("/healthz"), check_health),
    ("GET", "/v1/openapi.json"): Rule({"own": 200}, path_only("/v1/openapi.json"), check_openapi),
    ("GET", "/"): Rule({"own": 200}, path_only("/"), check_console),
    ("GET", "/console/{file}"): Rule({"own": 200, "missing": 404},
                                     lambda role, v: ("/console/" + ("console.js" if v == "own" else "no.js"), None),
                                     lambda role, v, r: check_console_file(role, v, r) if v == "own" else None),
    ("GET", "/v1/whoami"): Rule({"own": 200}, path_only("/v1/whoami"), check_whoami),
    ("GET", "/metrics"): Rule({"own": 200}, path_only("/metrics"), check_metrics),
    ("POST", "/v1/furnish"): Rule(
        {"other": 200, "own": 200}, lambda role, v: ("/v1/furnish", jsonl(FURNISH[v])),
        check_furnish, {"other": "furnisher2"}, ctype="application/x-ndjson",
        control_check=lambda c: counts_reconcile(c)["accepted"] == 1 or fail(c)),
    ("POST", "/v1/events"): Rule(
        {"other": 200, "own": 200}, lambda role, v: ("/v1/events", jsonl(EVENTS[v])),
        check_events, ctype="application/x-ndjson"),
    ("POST", "/v1/consents"): Rule(
        {"other": 403, "own": 200}, lambda role, v: ("/v1/consents", consent_body(role, v)),
        None, {"other": {"furnisher": "furnisher2", "lender": "lender2", "subject": "subject2"}}),
    ("POST", "/v1/consents/revoke"): Rule(
        {"other": 403, "own": 200}, lambda role, v: ("/v1/consents/revoke", revoke_body(role, v)),
        None, {"other": {"furnisher": "furnisher2", "lender": "lender2", "subject": "subject2"}}),
    ("POST", "/v1/consents/list"): Rule(
        {"other": 200, "own": 200},
        lambda role, v: ("/v1/consents/list", {"id": A if v == "own" else B}), check_consent_list),
    ("POST", "/v1/reports"): Rule(
        {"other": 403, "no_file": 404, "no_consent": 403, "self": 400, "own": 200},
        lambda role, v: ("/v1/reports", REPORT[v]), check_report, {"other": "lender2"},
        control_check=lambda c: check_report("lender", "other", c, key="lender2")),
    ("POST", "/v1/scores"): Rule(
        {"other": 403, "no_file": 404, "no_consent": 403, "self": 400, "own": 200},
        lambda role, v: ("/v1/scores", REPORT[v]), check_score, {"other": "lender2"},
        control_check=lambda c: check_score("lender", "other", c)),
    ("GET", "/v1/me/report"): Rule({"own": 200}, path_only("/v1/me/report"), check_my_report),
    ("GET", "/v1/me/consents"): Rule({"own": 200}, path_only("/v1/me/consents"), check_my_consents),
    ("GET", "/v1/me/access"): Rule({"own": 200}, path_only("/v1/me/access"), check_my_access),
    ("POST", "/v1/me/disputes"): Rule(
        {"other": 404, "missing": 404, "own": 201}, lambda role, v: ("/v1/me/disputes", DISPUTE[v]),
        check_dispute_filed, {"other": "subject2"}),
    ("GET", "/v1/me/disputes"): Rule({"own": 200}, path_only("/v1/me/disputes"), check_my_disputes),
    ("GET", "/v1/disputes"): Rule({"own": 200}, path_only("/v1/disputes"), check_disputes),
    ("POST", "/v1/disputes/{id}/verify"): Rule(
        {"other": 403, "missing": 404, "own": 200}, dispute_path("verify"), check_answered("verify"),
        {"other": "furnisher2"}),
    ("POST", "/v1/disputes/{id}/correct"): Rule(
        {"other": 403, "missing": 404, "own": 200}, dispute_path("correct"), check_answered("correct"),
        {"other": "furnisher2"}),
    ("GET", "/v1/stats"): Rule({"own": 200}, path_only("/v1/stats"), check_stats),
    ("GET", "/v1/supervision/aggregates"): Rule({"own": 200}, path_only(SUP_PATH), check_supervision),
    ("POST", "/v1/keys"): Rule({"own": 201}, lambda role, v: ("/v1/keys", {"role": "subject", "id": C}),
                               check_new_key),
    ("GET", "/v1/keys"): Rule({"own": 200}, path_only("/v1/keys"), check_keys),
    ("DELETE", "/v1/keys/{key_id}"): Rule(
        {"missing": 404, "own": 200},
        lambda role, v: ("/v1/keys/" + (world().keys["spare"].id if v == "own" else NO_SUCH_KEY), None),
        check_key_revoked, before_allowed=spare_still_works),
    ("GET", "/v1/audit/verify"): Rule({"own": 200}, path_only("/v1/audit/verify"), check_audit),
    ("GET", "/v1/alerts"): Rule({"own": 200}, path_only("/v1/alerts"), check_alerts),
    ("PUT", "/v1/webhook"): Rule({"own": 201, "again": 200},
                                 lambda role, v: ("/v1/webhook", {"url": WEBHOOK_URL}), check_webhook_put),
    ("GET", "/v1/webhook"): Rule({"own": 200}, path_only("/v1/webhook"), check_webhook_get),
    ("DELETE", "/v1/webhook"): Rule({"own": 200, "gone": 404}, path_only("/v1/webhook"),
                                    check_webhook_deleted, before_allowed=other_lender_cannot_delete),
    ("GET", "/v1/supervision/quality"): Rule({"own": 200}, supervision_path("/v1/supervision/quality"),
                                             check_quality),
    ("GET", "/v1/supervision/colending"): Rule({"own": 200},
                                               supervision_path("/v1/supervision/colending"),
                                               check_colending),
    ("POST", "/v1/supervision/shelf/delist"): Rule(
        {"missing": 404, "bad": 400, "own": 201},
        lambda role, v: ("/v1/supervision/shelf/delist", DELIST[v]), check_delisted),
    ("POST", "/v1/shelf"): Rule(
        {"other": 403, "own": 200}, lambda role, v: ("/v1/shelf", SHELF_ASK[v]), check_shelf,
        {"other": {"lender": "lender2"}}),
    ("GET", "/v1/shelf"): Rule({"own": 200}, path_only("/v1/shelf"), check_shelf),
}


def bad_credentials(w):
    good = w.keys["furnisher"].token
    flipped = good[:-1] + ("A" if good[-1] != "A" else "B")
    return {
        "no key": None,
        "empty bearer": "Bearer ",
        "basic": "Basic Zm9vOmJhcg==",
        "not a crk key": "Bearer abc",
        "short secret": "Bearer " + good[:-1],
        "unknown key id": "Bearer crk_" + NO_SUCH_KEY + good[20:],
        "wrong secret": "Bearer " + flipped,
        "revoked": w.keys["revoked"].header(),
    }


def walk_route(method, template, op):
    w = world()
    rule = RULES[(method, template)]
    allowed = op["x-roles"]
    public = allowed == ["anyone"]
    documented = {int(c) for c in op["responses"]}
    first = ROLES[0] if public else allowed[0]

    def send(key, role, variant, auth=None):
        path, body = rule.build(role, variant)
        r = w.call(method, path, key, body=body, ctype=rule.ctype, auth=auth)
        assert r.status in documented, f"status {r.status} is not documented for {method} {template}: {r!r}"
        return r

    for label, auth in bad_credentials(w).items():
        r = send(None, first, "own", auth=auth)
        if public:
            assert r.status == 200, f"public route with {label}: {r!r}"
        else:
            assert r.status == 401, f"{label}: {r!r}"
            assert_problem(r, 401)
    for role in ROLES:
        if public or role in allowed:
            continue
        for variant in rule.expect:
            r = send(role, first, variant)
            assert r.status == 403, f"{role} must be refused ({variant}): {r!r}"
            assert_problem(r, 403)
    if rule.before_allowed:
        rule.before_allowed()
    for role in (ROLES if public else allowed):
        for variant, status in rule.expect.items():
            r = send(role, role, variant)
            assert r.status == status, f"{role}, {variant} object: expected {status}: {r!r}"
            if status >= 400:
                assert_problem(r, status)
            elif rule.check:
                rule.check(role, variant, r)
            owner = rule.control.get(variant)
            if isinstance(owner, dict):
                owner = owner.get(role)
            if owner:
                c = send(owner, role, variant)
                assert 200 <= c.status < 300, f"control: the owner {owner} must succeed: {c!r}"
                if rule.control_check:
                    rule.control_check(c)


@test
def every_route_in_the_spec_has_a_rule_and_every_rule_a_route():
    ops = {(m, p) for m, p, _ in operations(spec())}
    assert ops == set(RULES), (f"routes without a rule: {sorted(ops - set(RULES))}; "
                               f"rules without a route: {sorted(set(RULES) - ops)}")
    for m, p, o in operations(spec()):
        assert set(o["x-roles"]) <= set(ROLES) | {"anyone"}, (m, p, o["x-roles"])


def _route_test(method, template, op):
    def t():
        walk_route(method, template, op)
    t.__name__ = f"matrix {method} {template}"
    return t


for _m, _p, _o in operations(spec()):
    if (_m, _p) in RULES:
        test(_route_test(_m, _p, _o))


@test
def second_subject_sees_only_their_own_file():
    w = world()
    rep = w.call("GET", "/v1/me/report", "subject2")
    assert rep.status == 200 and rep.json()["subject"]["id"] == mask(B), rep
    assert {a["account"] for a in rep.json()["accounts"]} == {"API-B-B2"}, rep
    cons = w.call("GET", "/v1/me/consents", "subject2").text()
    assert "sha256:b-b0002" in cons and "sha256:a-" not in cons, cons
    disp = w.call("GET", "/v1/me/disputes", "subject2").json()
    assert set(values(disp, "account")) == {"API-B-B2"}, disp


@test
def access_lists_show_who_asked_about_whom():
    """L0001 asked about A (granted) and B (refused); L0002 only about B."""
    w = world()
    a = w.call("GET", "/v1/me/access", "subject")
    b = w.call("GET", "/v1/me/access", "subject2")
    assert a.status == 200 and b.status == 200, (a, b)
    assert "L0001" in a.text() and "L0002" not in a.text(), a
    assert "L0002" in b.text() and "L0001" in b.text(), b


@test
def a_supervisor_never_gets_an_individual_report():
    w = world()
    for pid in (A, B, D):
        for purpose in ("loan_approval", "card_approval", "post_loan", "guarantee", "self"):
            r = w.call("POST", "/v1/reports", "supervisor", body={"id": pid, "purpose": purpose})
            assert_problem(r, 403)
            assert mask(pid) not in r.text() and pid not in r.text(), r
    for path in ("/v1/me/report", "/v1/me/consents", "/v1/me/access", "/v1/me/disputes", "/v1/disputes"):
        assert_problem(w.call("GET", path, "supervisor"), 403)
    assert_problem(w.call("POST", "/v1/consents/list", "supervisor", body={"id": A}), 403)
    for path in ("/v1/stats", "/metrics"):
        r = w.call("GET", path, "supervisor")
        assert r.status == 200, r
        no_identifiers(r)


@test
def an_institution_reads_only_its_own_supervision_rows():
    """Without ?institution= a furnisher still gets its own rows only; naming
    another institution is 403 for it, and the supervisor's view of that
    institution is not empty (so the 403 is "not yours")."""
    w = world()
    for path in ("/v1/supervision/quality", "/v1/supervision/colending"):
        for key, own, other in (("furnisher", "B0001", "B0002"), ("lender", "L0001", "B0001"),
                                ("furnisher2", "B0002", "B0001")):
            r = w.call("GET", path, key)
            assert r.status == 200, r
            doc = r.json()
            rows = doc.get("institutions", doc.get("platforms"))
            assert all(x.get("institution", x.get("platform")) == own for x in rows), (key, doc)
            assert_problem(w.call("GET", path + "?institution=" + other, key), 403)
    q = w.call("GET", "/v1/supervision/quality?institution=B0002", "supervisor").json()
    assert [x["institution"] for x in q["institutions"]] == ["B0002"], q
    b1 = w.call("GET", "/v1/supervision/quality", "furnisher").json()
    assert b1["institutions"] and b1["institutions"][0]["accounts"] >= 1, b1
    for bad in ("?from=2026-13-01", "?to=yesterday", "?institution="):
        assert_problem(w.call("GET", "/v1/supervision/quality" + bad, "supervisor"), 400)
    for bad in ("?floor_bp=10001", "?month=2026", "?floor_bp=-1"):
        assert_problem(w.call("GET", "/v1/supervision/colending" + bad, "supervisor"), 400)


@test
def an_institution_reads_the_aggregates_by_institution_only():
    w = world()
    for key in ("furnisher", "lender", "lender2"):
        for by in ("product", "province", "prefecture"):
            r = w.call("GET", f"/v1/supervision/aggregates?month=2026-06&by={by}", key)
            assert_problem(r, 403)
    for by in ("product", "province", "prefecture"):
        r = w.call("GET", f"/v1/supervision/aggregates?month=2026-06&by={by}", "supervisor")
        assert r.status == 200 and r.json()["by"] == by, r
        no_identifiers(r)
    for q in ("", "?month=2026-13", "?month=2026-06&by=person"):
        assert_problem(w.call("GET", "/v1/supervision/aggregates" + q, "supervisor"), 400)


@test
def a_furnisher_body_mixing_institutions_keeps_its_own_lines():
    w = world()
    body = jsonl(stmt("B0001", "API-C-B1", "2026-05"), stmt("B0002", "API-B-B2", "2026-05"),
                 stmt("B0001", "API-C-B1", "2026-06"))
    r = w.call("POST", "/v1/furnish", "furnisher", body=body, ctype="application/x-ndjson")
    assert r.status == 200, r
    c = counts_reconcile(r)
    assert c["submitted"] == 3 and c["rejected"] == 1 and c["accepted"] + c["held"] == 2, c
    assert [(x["line"], x["field"]) for x in c["rejects"]] == [(2, "institution")], c
    assert c["rejects_truncated"] is False, c


@test
def a_webhook_to_a_loopback_or_private_address_is_refused_by_default():
    w = world()
    for url in ("http://127.0.0.1:9/hook", "http://localhost/x", "https://[::1]/", "http://10.1.2.3/",
                "http://192.168.0.1/", "http://169.254.169.254/latest/meta-data/"):
        p = assert_problem(w.call("PUT", "/v1/webhook", "lender2", body={"url": url}), 400)
        assert p["detail"].startswith("url:"), p
    assert_problem(w.call("GET", "/v1/webhook", "lender2"), 404)


@test
def every_report_request_is_audited_and_the_chain_holds():
    w = world()
    assert w.server.stop() == 0, w.server.stderr()[-2000:]
    w.server = None
    entries = [json.loads(l) for l in open(os.path.join(w.store.db, "audit.log"), encoding="utf-8")]
    reports = [e for e in entries if e["action"] == "report" and e["actor"].get("institution") == "L0001"]
    outcomes = sorted(e["outcome"] for e in reports)
    # own (granted), other and no_consent (refused), no_file (not found), at least
    assert outcomes.count("granted") >= 1 and outcomes.count("refused") >= 2 \
        and outcomes.count("not_found") >= 1, outcomes
    assert "chain intact" in run("audit", "verify", "--db", w.store.db).stdout


if __name__ == "__main__":
    sys.exit(main("e2e-api-authz", cleanup))
