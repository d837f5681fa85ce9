#!/usr/bin/env python3
"""End-to-end tests of real-time events: ingest, retries, out-of-order
arrival, the current state and exposure in reports, held events, and the
monthly aggregate beside the report for a borrower who borrows from five
lenders in one month.

Expectations are computed here from fixtures/events.jsonl with a model of
the rules in docs/FORMAT.md ("Events"), never copied from an output."""
import datetime
import json
import os
import random
import shutil
import sys
import tempfile

from harness import main, run, test

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixtures", "events.jsonl")
PID = "11010519491231002X"
ASOF = "2026-06-30"
CST = datetime.timezone(datetime.timedelta(hours=8))


def records():
    return [json.loads(l) for l in open(FIXTURE, encoding="utf-8")]


def lines():
    return open(FIXTURE, encoding="utf-8").read().splitlines()


def counts(stdout):
    last = stdout.strip().splitlines()[-1]
    return dict((k, int(v)) for k, v in (p.split("=") for p in last.split()))


def ts(s):
    return datetime.datetime.fromisoformat(s).timestamp()


def month_end(month):
    y, m = int(month[:4]), int(month[5:7])
    nxt = datetime.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=CST)
    return nxt.timestamp() - 1


def fmt(t):
    return datetime.datetime.fromtimestamp(t, CST).isoformat()


def expected_current(recs):
    """(institution, account) -> the current block the rules give."""
    accounts = {(r["institution"], r["account"]): r for r in recs if r["type"] == "account"}
    out = {}
    for key, acc in accounts.items():
        stmts = [r for r in recs if r["type"] == "statement" and (r["institution"], r["account"]) == key
                 and r["month"] <= ASOF[:7]]
        c = {"balance": 0, "overdue": 0, "dpd": 0, "status": "open", "events_applied": 0}
        if stmts:
            s = max(stmts, key=lambda r: r["month"])
            c.update(balance=s["balance"], overdue=s["overdue"], dpd=s["dpd"])
            after = month_end(s["month"])
            as_of = after
        else:
            as_of = datetime.datetime.fromisoformat(acc["opened"] + "T00:00:00+08:00").timestamp()
            after = as_of - 1
        until = month_end(ASOF[:7]) + 300  # the as-of day is the month's last
        evs = sorted((r for r in recs if r["type"] == "event" and (r["institution"], r["account"]) == key
                      and after < ts(r["at"]) <= until), key=lambda r: ts(r["at"]))
        final = None
        for e in evs:
            k, a = e["kind"], e["amount"]
            if k in ("drawdown", "fee", "interest"):
                c["balance"] += a
            elif k == "repayment":
                c["overdue"] = max(0, c["overdue"] - a)
                c["balance"] = max(0, c["balance"] - a)
                c["dpd"] = c["dpd"] if c["overdue"] else 0
            elif k == "overdue":
                c["overdue"], c["dpd"] = a, e["dpd"]
            elif k == "writeoff":
                c["balance"] = a or c["balance"]
                final = final or "charged_off"
            elif k == "close":
                c.update(balance=0, overdue=0, dpd=0)
                final = final or "closed"
            c["events_applied"] += 1
            as_of = ts(e["at"])
        c["status"] = final or ("overdue" if c["overdue"] or c["dpd"] else "open")
        c["as_of"] = fmt(as_of)
        out[key] = c
    return out


class Store:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="creditref-ev-")
        self.db = os.path.join(self.dir, "db")
        run("init", "--db", self.db)

    def write(self, name, ls):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(ls) + "\n")
        return path

    def ingest(self, path, asof=ASOF):
        return counts(run("ingest", "--db", self.db, "--as-of", asof, path).stdout)

    def report(self, inst=None, purpose="self", fmt_="json"):
        args = ["report", "--db", self.db, "--id", PID, "--purpose", purpose, "--as-of", ASOF,
                "--format", fmt_]
        if inst:
            args += ["--as", inst]
        out = run(*args).stdout
        return json.loads(out) if fmt_ == "json" else out

    def monthly(self, month, fmt_="json"):
        out = run("stats", "--monthly", "--db", self.db, "--month", month, "--as-of", ASOF,
                  "--format", fmt_).stdout
        return [json.loads(l) for l in out.splitlines()] if fmt_ == "json" else out

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        if os.path.exists(self.db + ".key"):
            os.unlink(self.db + ".key")


def current_of(rep):
    return {(a["institution"], a["account"]): a["current"] for a in rep["accounts"]}


@test
def ingest_then_retry_is_all_unchanged():
    st = Store()
    try:
        path = st.write("f.jsonl", lines())
        n = len(lines())
        first = st.ingest(path)
        assert first == {"submitted": n, "accepted": n, "rejected": 0, "held": 0, "unchanged": 0}, first
        again = st.ingest(path)
        assert again == {"submitted": n, "accepted": 0, "rejected": 0, "held": 0, "unchanged": n}, again
        stats = dict(l.split("=") for l in run("stats", "--db", st.db).stdout.split())
        assert int(stats["events"]) == sum(r["type"] == "event" for r in records()), stats
    finally:
        st.close()


@test
def current_state_follows_the_rules():
    st = Store()
    try:
        st.ingest(st.write("f.jsonl", lines()))
        want = expected_current(records())
        got = current_of(st.report())
        assert set(got) == set(want), sorted(set(got) ^ set(want))
        for key, c in want.items():
            g = {k: got[key][k] for k in c}
            assert g == c, (key, g, c)
        # The old account's May drawdown is before its May statement's end.
        assert got[("B0001", "EV-OLD-0001")]["base_month"] == "2026-05"
    finally:
        st.close()


@test
def shuffled_late_and_retried_events_give_the_same_report():
    ordered, shuffled = Store(), Store()
    try:
        ordered.ingest(ordered.write("f.jsonl", lines()))
        head = [l for l in lines() if json.loads(l)["type"] != "event"]
        evs = [l for l in lines() if json.loads(l)["type"] == "event"]
        rng = random.Random(5)
        rng.shuffle(evs)
        half = len(evs) // 2
        c = shuffled.ingest(shuffled.write("a.jsonl", head + evs[:half]))
        assert c["rejected"] == 0, c
        late = evs[half:] + evs[:3]  # late arrivals, with three retries among them
        rng.shuffle(late)
        c = shuffled.ingest(shuffled.write("b.jsonl", late))
        assert c["unchanged"] == 3 and c["accepted"] == len(evs) - half, c
        a, b = ordered.report(), shuffled.report()
        assert a["exposure"] == b["exposure"], (a["exposure"], b["exposure"])
        assert current_of(a) == current_of(b)
    finally:
        ordered.close()
        shuffled.close()


@test
def five_lenders_in_a_month_monthly_vs_report():
    st = Store()
    try:
        st.ingest(st.write("f.jsonl", lines()))
        recs = records()
        new = [r for r in recs if r["type"] == "account" and r["opened"].startswith(ASOF[:7])]
        lenders = sorted({r["institution"] for r in new})
        assert len(lenders) == 5
        rows = st.monthly(ASOF[:7])
        by_inst = {}
        for r in rows:
            by_inst.setdefault(r["institution"], []).append(r)
        # Per institution, nothing unusual: one borrower, no more than two accounts.
        for inst in lenders:
            assert sum(r["borrowers"] for r in by_inst[inst]) == len(by_inst[inst]) == \
                len({r["product"] for r in by_inst[inst]}), by_inst[inst]
            for r in by_inst[inst]:
                assert r["borrowers"] == 1, r
                assert r["delinquency"]["M3+"] == 0, r
        opened = {inst: sum(r["accounts_opened"] for r in by_inst[inst]) for inst in lenders}
        assert opened == {inst: 1 for inst in lenders}, opened
        draw = {inst: sum(r["drawdowns"] for r in by_inst[inst]) for inst in lenders}
        want_draw = {inst: sum(e["amount"] for e in recs if e["type"] == "event" and e["kind"] == "drawdown"
                               and e["institution"] == inst and e["at"].startswith(ASOF[:7])) for inst in lenders}
        assert draw == want_draw, (draw, want_draw)
        cur = expected_current(recs)
        out = {inst: sum(r["outstanding"] for r in by_inst[inst]) for inst in lenders}
        assert out == {inst: sum(c["balance"] for k, c in cur.items() if k[0] == inst) for inst in lenders}
        # The report sees what no single monthly row shows.
        rep = st.report()
        x = rep["exposure"]
        assert x["lenders_with_balance"]["value"] == len({k[0] for k, c in cur.items() if c["balance"] > 0}) == 5, x
        assert x["accounts_opened_30d"]["value"] == 5 and x["accounts_opened_90d"]["value"] == 5, x
        assert x["accounts_opened_30d"]["as_of"] == max(r["opened"] for r in new) + "T00:00:00+08:00", x
        assert x["outstanding"]["value"] == sum(c["balance"] for c in cur.values()), x
        assert x["outstanding"]["as_of"] == max(c["as_of"] for c in cur.values()), x
        lines_ = [k for k, r in ((k, next(a for a in recs if a["type"] == "account" and
                                        (a["institution"], a["account"]) == k)) for k in cur)
                  if r["product"] in ("revolving", "credit_card") and cur[k]["status"] in ("open", "overdue")]
        assert x["credit_used"]["used"] == sum(cur[k]["balance"] for k in lines_), x
        # The text forms carry the same figures.
        text = st.monthly(ASOF[:7], "text")
        assert all(inst in text for inst in lenders), text
        assert "Exposure now" in st.report(fmt_="text")
    finally:
        st.close()


def alert_kinds(st, inst):
    page = json.loads(run("alerts", "list", "--db", st.db, "--institution", inst).stdout)
    return [a["kind"] for a in page["alerts"]]


@test
def five_lenders_in_a_month_raise_alerts_as_they_lend():
    """The same month as above, furnished as it happens: each lender's new
    account and its first events in their own batch.  No monthly row shows
    anything unusual, but every earlier lender hears of each later loan."""
    st = Store()
    try:
        recs = records()
        new_k = [r for r in recs if r["type"] == "account" and r["account"].startswith("EV-NEW")]
        new_k.sort(key=lambda r: r["opened"])
        setup = [r for r in recs if r["type"] in ("institution", "consent", "statement")
                 or (r["type"] == "account" and r not in new_k)
                 or (r["type"] == "event" and r["at"] < new_k[0]["opened"])]
        batches = [setup]
        for a in new_k:
            end = ts(a["opened"] + "T00:00:00+08:00") + 3 * 86400
            batches.append([a] + [r for r in recs if r["type"] == "event" and r["account"] == a["account"]
                                  and ts(r["at"]) < end])
        done = [r for b in batches for r in b]
        batches.append([r for r in recs if r not in done])
        want = {a["institution"]: [] for a in new_k}
        seen = []
        for i, b in enumerate(batches):
            before = sum(c["balance"] for c in expected_current(seen).values())
            seen += b
            after = sum(c["balance"] for c in expected_current(seen).values())
            c = st.ingest(st.write("b%d.jsonl" % i, [json.dumps(r, ensure_ascii=False) for r in b]))
            assert c["accepted"] == len(b), c
            lender = b[0]["institution"] if i and i <= len(new_k) else None
            rise = after - before
            for w in want:  # earlier lenders, open accounts with the person
                if lender is None or w == lender or not any(r["institution"] == w for r in seen[:-len(b)]
                                                              if r["type"] == "account"):
                    continue
                want[w].append("new_account")
                if rise > 1000000 and (before <= 0 or rise * 100 > 20 * before):
                    want[w].append("exposure_rise")
        got = {w: alert_kinds(st, w) for w in want}
        assert got == want, (got, want)
        assert len(got["B0001"]) >= 4 and got["B0005"] == [], got
        for inst in want:  # the monthly view: one ordinary borrower per lender
            rows = [r for r in st.monthly(ASOF[:7]) if r["institution"] == inst]
            assert sum(r["borrowers"] for r in rows) == len(rows), rows
    finally:
        st.close()


@test
def a_lender_sees_exposure_of_visible_accounts_only():
    st = Store()
    try:
        recs = records()
        # B0005 never gets a furnish consent: its account and events are held.
        keep = [l for l in lines() if not (json.loads(l)["type"] == "consent" and
                                           json.loads(l)["institution"] == "B0005")]
        c = st.ingest(st.write("f.jsonl", keep))
        held = sum(1 for r in recs if r.get("institution") == "B0005" and r["type"] in ("account", "event"))
        assert c["held"] == held, (c, held)
        run("consent", "grant", "--db", st.db, "--id", PID, "--institution", "L0001",
            "--scope", "query", "--purpose", "loan_approval", "--as-of", ASOF)
        rep = st.report("L0001", "loan_approval")
        assert "B0005" not in {a["institution"] for a in rep["accounts"]}
        cur = expected_current(recs)
        visible = {k: v for k, v in cur.items() if k[0] != "B0005"}
        assert rep["exposure"]["outstanding"]["value"] == sum(v["balance"] for v in visible.values())
        assert rep["exposure"]["lenders_with_balance"]["value"] == 4
        own = st.report()
        assert own["exposure"]["lenders_with_balance"]["value"] == 5, "the person sees held data"
        out = run("consent", "grant", "--db", st.db, "--id", PID, "--institution", "B0005",
                  "--scope", "furnish", "--as-of", ASOF).stdout
        assert f"released={held}" in out, out
    finally:
        st.close()


@test
def reused_event_ids_and_bad_events_are_rejected_with_reasons():
    st = Store()
    try:
        st.ingest(st.write("f.jsonl", lines()))
        e = next(r for r in records() if r["type"] == "event" and r["kind"] == "drawdown")
        changed = dict(e, amount=e["amount"] + 1)
        other_inst = dict(e, institution="B0002", account="EV-NEW-0002", at="2026-06-20T10:00:00+08:00")
        before_open = dict(e, event_id="early-1", at="2020-01-01T00:00:00+08:00")
        future = dict(e, event_id="late-1", at="2026-07-01T00:05:01+08:00")
        bad_kind = dict(e, event_id="k-1", kind="refund")
        unknown = dict(e, event_id="u-1", account="NO-SUCH-ACCOUNT")
        ls = [json.dumps(r, ensure_ascii=False) for r in
              (e, changed, other_inst, before_open, future, bad_kind, unknown)]
        path = st.write("g.jsonl", ls)
        c = st.ingest(path)
        assert c == {"submitted": 7, "accepted": 1, "rejected": 5, "held": 0, "unchanged": 1}, c
        rej = {r["line"]: (r["field"], r["reason"]) for r in map(json.loads, open(path + ".rejects.jsonl"))}
        assert rej[2] == ("event_id", "event_id already used with different content"), rej
        assert rej[4] == ("at", "event is before the account opened"), rej
        assert rej[5][0] == "at" and "clock skew" in rej[5][1], rej
        assert rej[6][0] == "kind" and "drawdown, repayment, fee, interest, overdue, writeoff, close" in rej[6][1]
        assert rej[7][0] == "account", rej
        # The first body is kept: the report has not moved.
        want = expected_current(records())
        got = current_of(st.report())
        key = (e["institution"], e["account"])
        assert got[key]["balance"] == want[key]["balance"], (got[key], want[key])
    finally:
        st.close()


if __name__ == "__main__":
    sys.exit(main("events"))
