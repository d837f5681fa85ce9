#!/usr/bin/env python3
"""bench/latency.py - how soon an acknowledged event shows, over HTTP.

Two measures, each over SAMPLES events, one person per event:

  report  lender A0001 POSTs one drawdown event on the person's account at
          A0001 (/v1/events); from the moment its 200 arrives, lender
          B0002, which holds an open account with the person, asks for a
          post_loan report (POST /v1/reports, a purpose that is not credit
          seeking and needs no query consent) until the A0001 account's
          "current" block shows the event (its as_of is the event's time);
  alert   A0001 POSTs an overdue event with dpd 30 on the person's account;
          from its 200, B0002 reads its alert feed (GET /v1/alerts?after=
          CURSOR) until the dpd30 alert about that person is there.

The latency of a sample is from the 200 of the event to the end of the
first response that reflects it; "polls" counts the requests that took (1
when the first one already did).  T threads (--parallel) share the samples,
each with its own people and three keep-alive connections (events, reports,
alerts); a thread waits PAUSE_MS after each sample, so that the samples
catch the server at random moments rather than queue behind each other.

The people, accounts and consents come from the fixture this script writes
with --fixture (bench/latency.sh ingests it before the server starts): for
person i, an A0001 account "LAT-A-i" and a B0002 account "LAT-B-i", both
open since 2026-01-05 with live furnish consents.

Usage:
  latency.py --fixture FILE --people N
  latency.py --base URL --events-key K --lender-key K --phase NAME
             --first I --samples N [--pause-ms MS] [--parallel T]

The second form prints one line per measure,
  latency: phase=NAME measure=report samples=N p50_us=.. p90_us=.. p99_us=..
           max_us=.. polls_max=.. retried=..
and exits non-zero when an event is refused or a sample never shows (after
TIMEOUT_S seconds).
"""
import argparse
import datetime
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

A = "A0001"
B = "B0002"
TIMEOUT_S = 30.0
DAY = "2026-06-30"


def resident_id(i):
    """A valid 18-character resident ID (ISO 7064 MOD 11-2), one per i."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 500)
    body = "110105%s%03d" % (birth.strftime("%Y%m%d"), 500 + i % 500)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * w for c, w in zip(body, weights))
    return body + "10X98765432"[s % 11]


def fail(msg):
    """Stops the whole run from any thread."""
    print(msg, file=sys.stderr, flush=True)
    os._exit(1)


def mask(pid):
    return pid[:6] + "*" * 8 + pid[-4:]


def write_fixture(path, people):
    recs = [{"type": "institution", "code": A, "name": "Latency Lender A", "kind": "platform"},
            {"type": "institution", "code": B, "name": "Latency Lender B", "kind": "bank"}]
    for i in range(people):
        pid = resident_id(i)
        for inst, acct in ((A, "LAT-A-%d" % i), (B, "LAT-B-%d" % i)):
            recs.append({"type": "consent", "id": pid, "institution": inst, "scope": "furnish",
                         "granted": "2026-01-01"})
            recs.append({"type": "account", "institution": inst, "account": acct, "id": pid,
                         "name": "测试", "product": "revolving", "opened": "2026-01-05",
                         "credit_limit": 5000000})
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


class Conn:
    """One keep-alive connection with one key."""

    def __init__(self, base, key):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.key = key
        self.c = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)

    def call(self, method, path, body=None, ctype="application/json"):
        headers = {"Authorization": "Bearer " + self.key}
        if body is not None:
            headers["Content-Type"] = ctype
        try:
            self.c.request(method, path, body=body, headers=headers)
            r = self.c.getresponse()
            data = r.read()
        except (http.client.HTTPException, OSError):
            self.c.close()
            self.c = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
            raise
        return r.status, data


def event_line(i, kind, at, amount, dpd=None):
    e = {"type": "event", "institution": A, "account": "LAT-A-%d" % i,
         "event_id": "lat-%s-%d" % (kind, i), "at": at, "kind": kind, "amount": amount}
    if dpd is not None:
        e["dpd"] = dpd
    return json.dumps(e) + "\n"


def post_event(conn, line):
    status, data = conn.call("POST", "/v1/events", line.encode(), "application/x-ndjson")
    t = time.perf_counter()
    if status != 200 or json.loads(data).get("accepted") != 1:
        fail("latency: POST /v1/events answered %d %s for %s" % (status, data[:300], line))
    return t


def at_of(i):
    """The event's time: a second of the as-of day of its own."""
    s = i % 80000
    return "%sT%02d:%02d:%02d+08:00" % (DAY, s // 3600, s // 60 % 60, s % 60)


def report_shows(data, acct, at):
    for a in json.loads(data).get("accounts", []):
        if a.get("institution") == A and a.get("account") == acct:
            cur = a.get("current") or {}
            return cur.get("as_of") == at
    return False


def sample_report(ev, lender, i):
    at = at_of(i)
    t0 = post_event(ev, event_line(i, "drawdown", at, 1000 + i))
    body = json.dumps({"id": resident_id(i), "purpose": "post_loan"}).encode()
    polls = 0
    while True:
        polls += 1
        status, data = lender.call("POST", "/v1/reports", body)
        t1 = time.perf_counter()
        if status != 200:
            fail("latency: POST /v1/reports answered %d %s" % (status, data[:300]))
        if report_shows(data, "LAT-A-%d" % i, at):
            return t1 - t0, polls
        if t1 - t0 > TIMEOUT_S:
            fail("latency: the event on LAT-A-%d never showed in a report" % i)


class Feed:
    """B0002's alert feed, read from a cursor that only moves forward."""

    def __init__(self, conn):
        self.conn, self.cursor = conn, "0"
        while self.page():
            pass

    def page(self):
        status, data = self.conn.call("GET", "/v1/alerts?after=%s&limit=1000" % self.cursor)
        if status != 200:
            fail("latency: GET /v1/alerts answered %d %s" % (status, data[:300]))
        page = json.loads(data)
        self.cursor = page["next"]
        return page["alerts"]


def sample_alert(ev, feed, i):
    subject = mask(resident_id(i))
    t0 = post_event(ev, event_line(i, "overdue", at_of(i), 1000, 30))
    polls = 0
    while True:
        polls += 1
        alerts = feed.page()
        t1 = time.perf_counter()
        if any(a["kind"] == "dpd30" and a["subject"] == subject for a in alerts):
            return t1 - t0, polls
        if t1 - t0 > TIMEOUT_S:
            fail("latency: no dpd30 alert for person %d within %.0f s" % (i, TIMEOUT_S))


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p / 100.0))]


def summary(phase, measure, lat, polls):
    us = [x * 1e6 for x in lat]
    print("latency: phase=%s measure=%s samples=%d p50_us=%.0f p90_us=%.0f p99_us=%.0f "
          "max_us=%.0f polls_max=%d retried=%d"
          % (phase, measure, len(us), pct(us, 50), pct(us, 90), pct(us, 99), max(us),
             max(polls), sum(1 for p in polls if p > 1)), flush=True)


def worker(args, first, count, results, lock):
    ev = Conn(args.base, args.events_key)
    lender = Conn(args.base, args.lender_key)
    feed = Feed(Conn(args.base, args.lender_key))
    # Interleaved, so that both measures see the same background.
    for i in range(first, first + count):
        for name, fn in (("report", lambda: sample_report(ev, lender, i)),
                         ("alert", lambda: sample_alert(ev, feed, i))):
            lat, polls = fn()
            with lock:
                results[name][0].append(lat)
                results[name][1].append(polls)
            time.sleep(args.pause_ms / 1000.0)


def measure(args):
    results = {"report": ([], []), "alert": ([], [])}
    lock = threading.Lock()
    n = max(1, min(args.parallel, args.samples))
    per = [args.samples // n + (1 if k < args.samples % n else 0) for k in range(n)]
    threads, first = [], args.first
    for k in range(n):
        t = threading.Thread(target=worker, args=(args, first, per[k], results, lock))
        first += per[k]
        threads.append(t)
        t.start()
    for t in threads:
        t.join()
    for name, (lat, polls) in results.items():
        if len(lat) != args.samples:
            fail("latency: %d of %d %s samples" % (len(lat), args.samples, name))
        summary(args.phase, name, lat, polls)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixture")
    ap.add_argument("--people", type=int)
    ap.add_argument("--base")
    ap.add_argument("--events-key")
    ap.add_argument("--lender-key")
    ap.add_argument("--phase", default="idle")
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--pause-ms", type=float, default=20)
    ap.add_argument("--parallel", type=int, default=1)
    args = ap.parse_args()
    if args.fixture:
        write_fixture(args.fixture, args.people)
    else:
        measure(args)


if __name__ == "__main__":
    main()
