#!/usr/bin/env python3
"""End-to-end tests of the product shelf (docs/shelf.md): products and
holdings furnished, a product and a category of one platform delisted from
an effective date, what a new person and a holder are offered and hold on
either side of that date, the consent a platform needs, and the audit
entries of every order and every answer."""
import json
import os
import shutil
import sys
import tempfile

from harness import CREDITREF, main, run, test

HOLDER = "11010519491231002X"
NEWCOMER = "110105198001010016"
STRANGER = "310104198506150023"
ORDERED = "2026-06-01"
EFFECTIVE = "2026-06-10"

FURNISHED = [
    {"type": "institution", "code": "B0001", "name": "Example Bank", "kind": "bank"},
    {"type": "institution", "code": "P0001", "name": "Example Platform", "kind": "platform"},
    {"type": "institution", "code": "P0002", "name": "Other Platform", "kind": "platform"},
    {"type": "product", "institution": "P0001", "code": "WM-1", "issuer": "B0001",
     "category": "wealth", "licence": "CBIRC-2020-001", "name": "Wealth One"},
    {"type": "product", "institution": "P0001", "code": "WM-2", "issuer": "B0001",
     "category": "wealth", "licence": "CBIRC-2020-002", "name": "Wealth Two"},
    {"type": "product", "institution": "P0001", "code": "DEP-1", "issuer": "B0001",
     "category": "internet_deposit", "licence": "CBIRC-2019-100", "name": "Deposit One"},
    {"type": "product", "institution": "P0002", "code": "WM-9", "issuer": "B0001",
     "category": "wealth", "licence": "CBIRC-2021-009", "name": "Wealth Nine"},
    {"type": "holding", "institution": "P0001", "id": HOLDER, "product": "WM-1",
     "since": "2025-01-02"},
    {"type": "holding", "institution": "P0001", "id": HOLDER, "product": "WM-2",
     "since": "2025-01-02", "until": "2025-12-31"},
]


class Store:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-shelf-")
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)
        src = os.path.join(self.dir, "shelf.jsonl")
        with open(src, "w") as f:
            for r in FURNISHED:
                f.write(json.dumps(r) + "\n")
        run("ingest", "--db", self.db, "--as-of", "2026-05-01", src)
        for pid in (HOLDER, NEWCOMER):
            run("consent", "grant", "--db", self.db, "--id", pid, "--institution", "P0001",
                "--scope", "query", "--purpose", "loan_approval", "--as-of", "2026-05-01")

    def delist(self, *what, ok=True):
        return run("shelf", "delist", "--db", self.db, *what, "--reason", "unlicensed sales",
                   "--effective", EFFECTIVE, "--as-of", ORDERED, ok=ok)

    def show(self, pid, asof, *extra, ok=True):
        p = run("shelf", "show", "--db", self.db, "--id", pid, "--as-of", asof, *extra, ok=ok)
        return json.loads(p.stdout) if ok else p

    def platform(self, pid, asof, inst="P0001"):
        return self.show(pid, asof, "--as", inst)

    def audit(self, pid):
        return run("audit", "show", "--db", self.db, "--id", pid).stdout

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def codes(items):
    return sorted(i["code"] for i in items)


@test
def delisted_product_is_offered_to_nobody_new_but_a_holder_keeps_it():
    st = Store()
    try:
        st.delist("--product", "WM-1")
        new = st.platform(NEWCOMER, "2026-06-10")
        assert codes(new["offered"]) == ["DEP-1", "WM-2"], new
        assert new["held"] == [], new
        old = st.platform(HOLDER, "2026-06-10")
        assert codes(old["offered"]) == ["DEP-1", "WM-2"], old
        assert [(h["code"], h["delisted"], h["since"]) for h in old["held"]] == \
            [("WM-1", True, "2025-01-02")], old
        own = st.show(HOLDER, "2026-06-10")  # the person, every platform
        assert codes(own["offered"]) == ["DEP-1", "WM-2", "WM-9"], own
        assert codes(own["held"]) == ["WM-1"], own
    finally:
        st.close()


@test
def before_the_effective_date_the_product_is_still_offered():
    st = Store()
    try:
        st.delist("--product", "WM-1", "--platform", "P0001")
        new = st.platform(NEWCOMER, "2026-06-09")
        assert codes(new["offered"]) == ["DEP-1", "WM-1", "WM-2"], new
        held = st.platform(HOLDER, "2026-06-09")["held"]
        assert [(h["code"], h["delisted"]) for h in held] == [("WM-1", False)], held
    finally:
        st.close()


@test
def a_category_delisted_on_one_platform_leaves_the_rest():
    st = Store()
    try:
        st.delist("--platform", "P0001", "--category", "wealth")
        new = st.show(NEWCOMER, "2026-07-01")
        assert codes(new["offered"]) == ["DEP-1", "WM-9"], new
        held = st.platform(HOLDER, "2026-07-01")["held"]
        assert [(h["code"], h["delisted"]) for h in held] == [("WM-1", True)], held
    finally:
        st.close()


@test
def bad_orders_are_refused():
    st = Store()
    try:
        p = st.delist("--product", "NOPE", ok=False)
        assert p.returncode == 4, p.stderr
        p = st.delist("--platform", "P0001", "--category", "casino", ok=False)
        assert p.returncode == 2, p.stderr
        p = run("shelf", "delist", "--db", st.db, "--product", "WM-1", "--reason", "late",
                "--effective", "2026-05-01", "--as-of", ORDERED, ok=False)
        assert p.returncode == 2 and "effective" in p.stderr, p.stderr
    finally:
        st.close()


@test
def a_platform_without_the_persons_consent_is_refused():
    st = Store()
    try:
        p = st.show(STRANGER, "2026-06-10", "--as", "P0001", ok=False)
        assert p.returncode == 3 and "consent" in p.stderr, p.stderr
        p = st.show(HOLDER, "2026-06-10", "--as", "P0002", ok=False)
        assert p.returncode == 3, p.stderr
    finally:
        st.close()


@test
def orders_and_answers_are_audited():
    st = Store()
    try:
        st.delist("--product", "WM-1")
        st.platform(HOLDER, "2026-06-10")
        st.show(HOLDER, "2026-06-10", "--as", "P0002", ok=False)
        log = st.audit(HOLDER)
        assert "shelf_query" in log and "P0001" in log and "P0002" in log, log
        assert "refused" in log, log
        entries = [json.loads(l) for l in open(os.path.join(st.db, "audit.log"))]
        orders = [e for e in entries if e.get("action") == "shelf_delist"]
        assert len(orders) == 1 and orders[0]["actor"]["role"] == "supervisor", orders
        assert "P0001/WM-1" in orders[0]["detail"], orders
        run("audit", "verify", "--db", st.db)
    finally:
        st.close()


if __name__ == "__main__":
    sys.exit(main("shelf"))
