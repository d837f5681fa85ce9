#!/usr/bin/env python3
"""Supervision aggregates (docs/supervision.md) against an independent
computation: creditref gen with a fixed seed (2,000 people), ingested, then
every aggregate of every grouping recomputed here from the generated JSON
lines (the account's state at a month's end from its latest statement and
its record, as docs/monthly.md defines it) and compared with creditref's,
cell by cell; the suppression rule recomputed and checked; a differencing
test (two groupings partition the same accounts, so the difference of
their published totals is what they suppressed: it must cover at least the
minimum of people); region cells named as the GB/T 2260 division lists,
read here on their own, name them; the HTML page self-contained; every
read audited."""
import collections
import csv
import datetime
import json
import os
import re
import shutil
import tempfile

from harness import main, run, test
from apiserver import SPEC_PATH, Server, call, issue

MIN = 10
ASOF = "2026-06-30"
MONTHS = ("2026-05", "2026-06")
TERM = ("installment", "mortgage")
BYS = ("institution", "product", "province", "prefecture")
NAMED = ("province", "prefecture")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
D = {}


def setup():
    if D:
        return D
    D["dir"] = tempfile.mkdtemp(prefix="creditref-sup-")
    D["db"] = os.path.join(D["dir"], "db")
    D["jsonl"] = os.path.join(D["dir"], "gen.jsonl")
    run("gen", "--subjects", "2000", "--seed", "1313", "--as-of", ASOF, "--bad-rate", "0",
        "--out", D["jsonl"])
    run("init", "--db", D["db"])
    out = run("ingest", "--db", D["db"], "--as-of", ASOF, D["jsonl"]).stdout
    assert " rejected=0 " in out, out
    D["accts"], D["stmts"] = load(D["jsonl"])
    return D


def cleanup():
    if D:
        shutil.rmtree(D["dir"], ignore_errors=True)


# ---- the independent computation ---------------------------------------------

def band(dpd):
    for i, top in enumerate((0, 30, 60, 90, 180)):
        if dpd <= top:
            return i
    return 5


def mnum(s):
    y, m = s.split("-")[:2]
    return int(y) * 12 + int(m) - 1


def first_day(m):
    return datetime.date(m // 12, m % 12 + 1, 1)


def load(path):
    accts, stmts = {}, collections.defaultdict(dict)
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        if d["type"] == "account":
            accts[(d["institution"], d["account"])] = d
        elif d["type"] == "statement":
            stmts[(d["institution"], d["account"])][mnum(d["month"])] = d
    return accts, stmts


def state(a, st, first, m, end_day):
    """(band, ended, balance) at the end of month m, None if it does not count."""
    opened = datetime.date.fromisoformat(a["opened"])
    if opened > end_day:
        return None
    latest = next((st[k] for k in range(m, first - 1, -1) if k in st), None)
    status = a.get("status")
    final = status in ("closed", "charged_off", "transferred")
    ended = status in ("closed", "charged_off")
    if latest is None:
        as_of, dpd, bal = opened, 0, 0
    else:
        as_of = first_day(mnum(latest["month"]) + 1) - datetime.timedelta(days=1)
        dpd, bal = latest["dpd"], latest["balance"]
        ended = ended or (not final and latest["status"] in ("C", "Z", "G"))
    if ended and as_of < first_day(m):
        return None
    return band(dpd), ended, bal


def accounts_in(m):
    d = setup()
    asof = datetime.date.fromisoformat(ASOF)
    end_day = min(first_day(m + 1) - datetime.timedelta(days=1), asof)
    out = []
    for k, a in d["accts"].items():
        st = d["stmts"].get(k, {})
        first = max(mnum(a["opened"]), m - 59)
        s = state(a, st, first, m, end_day)
        if s is None:
            continue
        prev = state(a, st, first, m - 1, first_day(m) - datetime.timedelta(days=1)) \
            if m > first else None
        new = a["principal"] if mnum(a["opened"]) == m and a["product"] in TERM else 0
        out.append(dict(inst=a["institution"], product=a["product"], id=a["id"], band=s[0],
                        ended=s[1], balance=s[2], prev=prev[0] if prev else None, new=new,
                        paid=st[m]["paid"] if m in st else 0))
    return out


KEY = {"institution": lambda r: r["inst"], "product": lambda r: r["product"],
       "province": lambda r: r["id"][:2], "prefecture": lambda r: r["id"][:4]}


def new_cell():
    return dict(borrowers=0, accounts=0, outstanding=0, new_lending=0, repayments=0,
                bands=[0] * 6, roll=[[0] * 7 for _ in range(6)], multi=[0] * 6,
                multi_out=[0] * 6, people=set())


def add(c, pid, lenders, lst):
    c["borrowers"] += 1
    c["people"].add(pid)
    c["multi"][lenders] += 1
    c["multi_out"][lenders] += sum(r["balance"] for r in lst)
    for r in lst:
        c["accounts"] += 1
        c["outstanding"] += r["balance"]
        c["new_lending"] += r["new"]
        c["repayments"] += r["paid"]
        c["bands"][r["band"]] += 1
        if r["prev"] is not None:
            c["roll"][r["prev"]][6 if r["ended"] else r["band"]] += 1


def cells(rows, by):
    people = collections.defaultdict(list)
    for r in rows:
        people[r["id"]].append(r)
    cs = collections.defaultdict(new_cell)
    for pid, rs in people.items():
        lenders = min(len({r["inst"] for r in rs if r["balance"] > 0}), 5)
        mine = collections.defaultdict(list)
        for r in rs:
            mine[KEY[by](r)].append(r)
        for k, lst in mine.items():
            add(cs[k], pid, lenders, lst)
    return dict(cs)


def suppress(cs, groups):
    """The rule of docs/supervision.md: small cells, then complements per group."""
    hidden = {k for k, c in cs.items() if c["borrowers"] < MIN}
    for members in groups:
        while True:
            mass = sum(cs[k]["borrowers"] for k in members if k in hidden)
            shown = sorted((cs[k]["borrowers"], k) for k in members if k not in hidden)
            if mass == 0 or mass >= MIN or not shown:
                break
            hidden.add(shown[0][1])
    return hidden


def expected_hidden(month):
    rows = accounts_in(mnum(month))
    out = {}
    for by in ("institution", "product", "province"):
        cs = cells(rows, by)
        out[by] = (cs, suppress(cs, [list(cs)]))
    pref = cells(rows, "prefecture")
    prov_hidden = out["province"][1]
    hidden = {k for k in pref if k[:2] in prov_hidden}
    by_prov = collections.defaultdict(list)
    for k in pref:
        if k[:2] not in prov_hidden:
            by_prov[k[:2]].append(k)
    hidden |= suppress(pref, list(by_prov.values()))
    out["prefecture"] = (pref, hidden)
    return out


# ---- region names, read independently of the C code -----------------------------

# cities.csv rows that name a set of districts or counties, not a city; the
# bureau names them after their province (docs/supervision.md).
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def region_names():
    """{2-digit code: province name}, {4-digit code: prefecture name}: from
    the division lists src/region/regions.c was generated from, or, in a
    clone without them, from the province and prefecture rows of
    regions.c itself."""
    if "regions" in D:
        return D["regions"]
    data = os.path.join(ROOT, "..", "shared", "data", "regions")
    if os.path.isdir(data):
        def rows(name):
            with open(os.path.join(data, name), newline="", encoding="utf-8") as f:
                return list(csv.DictReader(f))
        prov = {r["code"]: r["name"] for r in rows("provinces.csv")}
        pref = {r["code"]: prov[r["provinceCode"]] + r["name"]
                if r["name"] in PLACEHOLDERS else r["name"] for r in rows("cities.csv")}
    else:
        src = open(os.path.join(ROOT, "src", "region", "regions.c"), encoding="utf-8").read()
        prov = {m[0]: m[1] for m in re.findall(r'\{(\d{2}), "([^"]*)"\}', src)}
        pref = {m[0]: m[1] for m in re.findall(r'\{(\d{4}), \d+, [01], "([^"]*)"\}', src)}
    assert len(prov) == 31 and len(pref) > 300, (len(prov), len(pref))
    D["regions"] = (prov, pref)
    return D["regions"]


def region_name(by, key):
    """The name a cell of grouping by should carry: None for a code with
    no name; absent (the marker ABSENT) by institution and product."""
    prov, pref = region_names()
    if by == "province":
        return prov.get(key)
    if by == "prefecture":
        return pref.get(key)
    return ABSENT


ABSENT = object()


def check_name(by, got):
    want = region_name(by, got["key"])
    if want is ABSENT:
        assert "name" not in got, (by, got["key"], got.get("name"))
    else:
        assert "name" in got and got["name"] == want, (by, got["key"], got.get("name"), want)


def multi_expected(c):
    multi, out = list(c["multi"]), list(c["multi_out"])
    top = 5
    while top > 1 and multi[top] < MIN:
        multi[top - 1] += multi[top]
        out[top - 1] += out[top]
        top -= 1
    if any(0 < multi[i] < MIN for i in range(top + 1)):
        return None
    return [{"lenders": f"{i}{'+' if i == top and i else ''}", "borrowers": multi[i],
             "outstanding": out[i]} for i in range(top + 1)]


def aggregates(month, by):
    out = run("supervision", "aggregates", "--db", setup()["db"], "--month", month,
              "--by", by, "--as-of", ASOF).stdout
    return json.loads(out)


def rate(n, d):
    return round(n / d, 6) if d else 0.0


def check_cell(got, c):
    for f in ("borrowers", "accounts", "outstanding", "new_lending", "repayments"):
        assert got[f] == c[f], (got["key"], f, got[f], c[f])
    names = ["0", "1-30", "31-60", "61-90", "91-180", "180+"]
    assert got["delinquency"] == dict(zip(names, c["bands"])), (got, c["bands"])
    for i, n in enumerate(names[1:], 1):
        assert abs(got["delinquency_rates"][n] - rate(c["bands"][i], c["accounts"])) < 2e-6, got
    for i, n in enumerate(names):
        row, frm = c["roll"][i], sum(c["roll"][i])
        g = got["roll_rates"][n]
        if frm < MIN:
            assert g is None, (got["key"], n, g)
            continue
        assert g["accounts"] == frm, (got["key"], n, g, row)
        for j, to in enumerate(names + ["ended"]):
            assert abs(g[to] - rate(row[j], frm)) < 2e-6, (got["key"], n, to, g, row)
    assert got["multi_lending"] == multi_expected(c), (got["key"], got["multi_lending"], c["multi"])


# ---- tests ---------------------------------------------------------------------

@test
def every_published_cell_equals_the_independent_computation():
    for month in MONTHS:
        exp = expected_hidden(month)
        for by in BYS:
            cs, hidden = exp[by]
            doc = aggregates(month, by)
            assert doc["min_cell"] == MIN and doc["by"] == by, doc
            assert [c["key"] for c in doc["cells"]] == sorted(cs), (by, sorted(cs))
            shown = 0
            for got in doc["cells"]:
                check_name(by, got)
                if got["key"] in hidden:
                    bare = {"key": got["key"], "suppressed": True}
                    if by in NAMED:
                        bare["name"] = region_name(by, got["key"])
                    assert got == bare, got
                    continue
                assert got["suppressed"] is False, got
                check_cell(got, cs[got["key"]])
                shown += 1
            assert shown >= 4, f"{by} {month}: too few published cells to test anything"


@test
def region_cells_carry_their_names_from_the_id_digits():
    """Every person's province and prefecture cell is named from the first 2
    and 4 digits of the ID (the generated IDs use only codes of the lists);
    the text table prints the same names in its last column."""
    month = MONTHS[0]
    ids = {r["id"] for r in accounts_in(mnum(month))}
    prov, pref = region_names()
    for by, digits, names in (("province", 2, prov), ("prefecture", 4, pref)):
        doc = aggregates(month, by)
        got = {c["key"]: c.get("name") for c in doc["cells"]}
        assert set(got) == {pid[:digits] for pid in ids}, by
        for pid in ids:
            assert got[pid[:digits]] == names[pid[:digits]], (by, pid[:digits], got[pid[:digits]])
        named = [n for n in got.values() if n]
        assert len(named) == len(got) and len(set(named)) == len(named), by
        text = run("supervision", "aggregates", "--db", setup()["db"], "--month", month,
                   "--by", by, "--as-of", ASOF, "--format", "text").stdout.splitlines()
        assert text[1].split()[0] == "key" and text[1].split()[-1] == "name", text[1]
        rows = {line.split()[0]: line.split()[-1] for line in text[2:]}
        assert rows == got, (by, rows)
    beijing = [c for c in aggregates(month, "province")["cells"] if c["key"] == "11"]
    assert beijing and beijing[0]["name"] == "北京市", beijing


@test
def a_region_code_the_table_lacks_has_a_null_name():
    """IDs of Taiwan (71, a valid province code the region table has no
    row for) and of a Beijing prefecture code the table lacks (1199): 12
    people each, so every cell is published, named null where the table
    has no name, "-" in the text table."""
    d = setup()

    def resident_id(first17):
        weight = [pow(2, 17 - i, 11) for i in range(17)]
        return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weight)) % 11]

    people = [resident_id(f"{area}19900101{i:03d}") for area in ("710101", "119901")
              for i in range(12)]
    lines = [{"type": "institution", "code": "Q0002", "name": "测试银行", "kind": "bank"}]
    for i, pid in enumerate(people):
        acc = f"R-{i:04d}"
        lines += [
            {"type": "consent", "id": pid, "institution": "Q0002", "scope": "furnish",
             "granted": "2026-01-01", "evidence": "sha256:" + "cd" * 32},
            {"type": "account", "institution": "Q0002", "account": acc, "id_type": "resident",
             "id": pid, "name": "测试", "product": "installment", "opened": "2026-01-10",
             "principal": 1200000, "term_months": 12}]
    db = os.path.join(d["dir"], "regions-db")
    src = os.path.join(d["dir"], "regions.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    run("init", "--db", db)
    out = run("ingest", "--db", db, "--as-of", ASOF, src).stdout
    assert " rejected=0 " in out and " held=0 " in out, out
    want = {"province": {"11": "北京市", "71": None},
            "prefecture": {"1199": None, "7101": None}}
    for by, names in want.items():
        doc = json.loads(run("supervision", "aggregates", "--db", db, "--month", "2026-05",
                             "--by", by, "--as-of", ASOF).stdout)
        got = {c["key"]: c["name"] for c in doc["cells"] if not c["suppressed"]}
        assert got == names, (by, doc["cells"])
        text = run("supervision", "aggregates", "--db", db, "--month", "2026-05", "--by", by,
                   "--as-of", ASOF, "--format", "text").stdout.splitlines()[2:]
        assert {line.split()[0]: line.split()[-1] for line in text} == \
            {k: v or "-" for k, v in names.items()}, text


@test
def suppressed_cells_are_small_or_complements_and_never_alone():
    exp = expected_hidden(MONTHS[0])
    small = {by: [k for k in cs if cs[k]["borrowers"] < MIN] for by, (cs, _) in exp.items()}
    assert small["province"] and small["prefecture"], "the test data has no small cell"
    for by, (cs, hidden) in exp.items():
        assert set(small[by]) <= hidden, by
        mass = sum(cs[k]["borrowers"] for k in hidden)
        assert mass == 0 or mass >= MIN, (by, mass)


@test
def differencing_two_groupings_reveals_no_suppressed_cell():
    """Every account is in one cell of each grouping, so the grouping that
    suppresses nothing gives the true totals; minus the published cells of
    another, the difference is the sum of what that one suppressed.  It
    must cover at least MIN people; and within a province, the province
    minus its published prefectures likewise."""
    month = MONTHS[0]
    docs = {by: aggregates(month, by) for by in BYS}
    exp = expected_hidden(month)
    product = docs["product"]
    assert all(not c["suppressed"] for c in product["cells"]), product
    total_accounts = product["total_published"]["accounts"]
    for by in ("institution", "province", "prefecture"):
        published = docs[by]["total_published"]["accounts"]
        hidden = [c["key"] for c in docs[by]["cells"] if c["suppressed"]]
        people = set().union(*[exp[by][0][k]["people"] for k in hidden]) if hidden else set()
        assert total_accounts - published == sum(exp[by][0][k]["accounts"] for k in hidden), by
        assert not hidden or len(people) >= MIN, (by, hidden, len(people))
    prov = {c["key"]: c for c in docs["province"]["cells"]}
    for key, c in prov.items():
        pref = [p for p in docs["prefecture"]["cells"] if p["key"].startswith(key)]
        if c["suppressed"]:
            assert all(p["suppressed"] for p in pref), key
            continue
        gap = c["accounts"] - sum(p.get("accounts", 0) for p in pref)
        hidden = [p["key"] for p in pref if p["suppressed"]]
        people = set().union(*[exp["prefecture"][0][k]["people"] for k in hidden]) if hidden else set()
        assert gap == sum(exp["prefecture"][0][k]["accounts"] for k in hidden), key
        assert not hidden or len(people) >= MIN, (key, hidden, len(people))


@test
def the_html_page_is_self_contained_with_svg_charts():
    page = os.path.join(setup()["dir"], "sup.html")
    run("supervision", "report", "--db", setup()["db"], "--html", page, "--months", "6",
        "--as-of", ASOF)
    html = open(page, encoding="utf-8").read()
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 5, html[:300]
    assert not re.search(r"https?://", html), "the page names a URL"
    assert not re.search(r"<(script|link|img|iframe)\b", html, re.I), "the page loads something"
    for title in ("past due", "Roll rates", "Multi-lending", "per province",
                  "Data quality per furnisher", "own share of what it arranged"):
        assert title in html, title
    provinces = aggregates(ASOF[:7], "province")["cells"]
    assert any(c["suppressed"] for c in provinces), "no suppressed province to look at"
    for c in provinces:
        label = f"{region_name('province', c['key'])} ({c['key']})"
        assert html.count(f">{label}</text>") == 1, label
    log = open(os.path.join(setup()["db"], "audit.log"), encoding="utf-8").read()
    assert f"month={ASOF[:7]} by=province" in log
    for pid in {a["id"] for a in setup()["accts"].values()}:
        assert pid not in html


@test
def reads_are_audited_and_an_unknown_grouping_is_a_usage_error():
    d = setup()
    bad = run("supervision", "aggregates", "--db", d["db"], "--month", "2026-05", "--by", "id", ok=False)
    assert bad.returncode == 2, bad
    before = run("audit", "verify", "--db", d["db"]).stdout
    aggregates("2026-05", "product")
    log = open(os.path.join(d["db"], "audit.log"), encoding="utf-8").read()
    assert '"supervision_read"' in log and "month=2026-05 by=product" in log, before
    assert "intact" in run("audit", "verify", "--db", d["db"]).stdout


@test
def the_api_answers_what_the_command_prints_and_an_institution_its_own_row():
    """Months the server builds ahead (the as-of month, the one before) and
    one it builds on request, each grouping; then a furnisher's own row."""
    d = setup()
    months = ("2026-06", "2026-05", "2026-03")
    want = {(m, by): aggregates(m, by) for m in months for by in BYS}
    sup, furn = issue(d["db"], "supervisor"), issue(d["db"], "furnisher", institution="B0001")
    server = Server(d["db"], "--rate-limit", "0")
    try:
        for (m, by), doc in want.items():
            r = call(server.base, "GET", f"/v1/supervision/aggregates?month={m}&by={by}", key=sup)
            assert r.status == 200 and r.json() == doc, (m, by, r)
        with open(SPEC_PATH, encoding="utf-8") as f:
            schema = json.load(f)["components"]["schemas"]["SupervisionCell"]
        for (m, by), doc in want.items():
            for c in doc["cells"]:
                assert set(schema["required"]) <= set(c) <= set(schema["properties"]), c
                assert ("name" in c) == (by in NAMED), (by, c["key"])
        r = call(server.base, "GET", "/v1/supervision/aggregates?month=2026-05", key=furn)
        own = [c for c in want[("2026-05", "institution")]["cells"] if c["key"] == "B0001"]
        assert r.status == 200 and r.json()["cells"] == own, r
        assert r.json()["total_published"]["accounts"] == own[0]["accounts"], r
    finally:
        server.stop()


@test
def a_range_of_months_answers_each_month_as_built_alone_and_audits_each():
    """GET ...?from=&to= builds the months it does not keep in one walk; each
    month equals the command's month built alone (every cell of which the
    first test checked against the independent computation), each is
    audited as a read of its own, and a furnisher's range holds its own row
    only.  Bad ranges are 400."""
    d = setup()
    months = ("2026-01", "2026-02", "2026-03", "2026-04")
    want = {m: aggregates(m, "product") for m in months + ("2025-11",)}
    sup, furn = issue(d["db"], "supervisor"), issue(d["db"], "furnisher", institution="B0001")
    server = Server(d["db"], "--rate-limit", "0")
    try:
        log = os.path.join(d["db"], "audit.log")
        before = open(log, encoding="utf-8").read().count('"supervision_read"')
        r = call(server.base, "GET", "/v1/supervision/aggregates?from=2026-01&to=2026-04&by=product", key=sup)
        assert r.status == 200, r
        doc = r.json()
        assert doc["from"] == "2026-01" and doc["to"] == "2026-04", doc.keys()
        assert [m["month"] for m in doc["months"]] == list(months), [m["month"] for m in doc["months"]]
        for m in doc["months"]:
            assert m == want[m["month"]], m["month"]
        text = open(log, encoding="utf-8").read()
        assert text.count('"supervision_read"') == before + 4, "one audit entry per month"
        for m in months:
            assert f"month={m} by=product" in text, m
        # a range overlapping kept months: the kept ones answer from memory, the rest are built
        r = call(server.base, "GET", "/v1/supervision/aggregates?from=2025-11&to=2026-02&by=product", key=sup)
        assert r.status == 200, r
        got = {m["month"]: m for m in r.json()["months"]}
        assert got["2026-01"] == want["2026-01"] and got["2026-02"] == want["2026-02"]
        assert got["2025-11"] == want["2025-11"]
        r = call(server.base, "GET", "/v1/supervision/aggregates?from=2026-03&to=2026-04", key=furn)
        assert r.status == 200, r
        for m in r.json()["months"]:
            assert [c["key"] for c in m["cells"]] == ["B0001"], m["cells"]
        r = call(server.base, "GET", "/v1/supervision/aggregates?from=2026-03&to=2026-04&by=product", key=furn)
        assert r.status == 403, r
        for q in ("from=2026-04&to=2026-01", "from=2024-01&to=2026-01", "from=2026-01",
                  "month=2026-01&from=2026-01&to=2026-02", "from=2026-13&to=2026-14"):
            r = call(server.base, "GET", "/v1/supervision/aggregates?" + q, key=sup)
            assert r.status == 400, (q, r)
    finally:
        server.stop()


@test
def events_are_summed_by_day_in_published_cells():
    """A separate small store: 12 people at one institution, each with an
    installment account and events in May on known days; the daily sums
    of creditref equal the events' own sums by day."""
    d = setup()
    ids = sorted({a["id"] for a in d["accts"].values()})[:12]
    lines = [{"type": "institution", "code": "Q0001", "name": "测试银行", "kind": "bank"}]
    drawn, repaid = [0] * 31, [0] * 31
    for i, pid in enumerate(ids):
        acc = f"Q-{i:04d}"
        lines += [
            {"type": "consent", "id": pid, "institution": "Q0001", "scope": "furnish",
             "granted": "2026-01-01", "evidence": "sha256:" + "ab" * 32},
            {"type": "account", "institution": "Q0001", "account": acc, "id_type": "resident",
             "id": pid, "name": "测试", "product": "installment", "opened": "2026-01-10",
             "principal": 1200000, "term_months": 12},
            {"type": "statement", "institution": "Q0001", "account": acc, "month": "2026-04",
             "balance": 900000, "due": 100000, "paid": 100000, "overdue": 0, "dpd": 0,
             "status": "N"}]
        for day, kind, amount in ((i % 28 + 1, "repayment", 1000 * (i + 1)),
                                  (i % 5 + 3, "drawdown", 500 * (i + 1)),
                                  (31, "repayment", 7)):
            lines.append({"type": "event", "institution": "Q0001", "account": acc,
                          "event_id": f"{acc}-{day}-{kind}",
                          "at": f"2026-05-{day:02d}T10:00:00+08:00", "kind": kind,
                          "amount": amount})
            (repaid if kind == "repayment" else drawn)[day - 1] += amount
    db = os.path.join(d["dir"], "events-db")
    src = os.path.join(d["dir"], "events.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    run("init", "--db", db)
    out = run("ingest", "--db", db, "--as-of", ASOF, src).stdout
    assert " rejected=0 " in out and " held=0 " in out, out
    doc = json.loads(run("supervision", "aggregates", "--db", db, "--month", "2026-05",
                         "--as-of", ASOF).stdout)
    cell = doc["cells"][0]
    assert cell["key"] == "Q0001" and cell["borrowers"] == 12, doc
    assert cell["daily"] == {"drawdowns": drawn, "repayment_events": repaid}, cell["daily"]
    assert cell["new_lending"] == sum(drawn), cell


if __name__ == "__main__":
    raise SystemExit(main("e2e-supervision", cleanup))
