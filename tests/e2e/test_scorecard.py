#!/usr/bin/env python3
"""End-to-end tests of creditref scorecard: fit on a generated CSV with a
known signal (the summary line, a high held-out AUC, the report), apply the
model and check every row's score against the fit's own figures, and the
refusals that name a line or a feature."""
import csv
import math
import os
import random
import re
import shutil
import sys
import tempfile

from harness import main, run, test

TMP = tempfile.mkdtemp(prefix="creditref-scorecard-")
LAST = re.compile(r"^rows_train=(\d+) rows_test=(\d+) auc_train=(\d\.\d{4}) "
                  r"auc_test=(\d\.\d{4}) ks_test=(\d\.\d{4})$")


def make_csv(path, n=6000, seed=12):
    """Risk rises with utilisation and inquiries, falls with months on book
    (missing for 10%); renters are riskier; region and noise say nothing."""
    rnd = random.Random(seed)
    homes = ["own", "rent", "parents", "other, shared"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["id", "utilisation", "inquiries", "months_on_book", "home", "region",
                    "noise", "bad", "split"])
        for i in range(n):
            util = rnd.random()
            inq = rnd.randint(0, 9)
            mob = None if rnd.random() < 0.1 else rnd.randint(1, 240)
            home = rnd.choice(homes)
            z = (-3.0 + 4.0 * util + 0.35 * inq - (0.012 * mob if mob else -0.6)
                 + (0.9 if home == "rent" else 0.0))
            bad = 1 if rnd.random() < 1 / (1 + math.exp(-z)) else 0
            w.writerow([i, f"{util:.4f}", inq, "NA" if mob is None else mob, home,
                        rnd.choice("NESW"), f"{rnd.gauss(0, 1):.3f}", bad,
                        "test" if rnd.random() < 0.3 else "train"])


def auc(pairs):
    """Rank AUC of (risk, bad) pairs, ties given their average rank."""
    pairs = sorted(pairs)
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        rank_sum += sum(b for _, b in pairs[i:j]) * (i + 1 + j) / 2
        i = j
    nb = sum(b for _, b in pairs)
    return (rank_sum - nb * (nb + 1) / 2) / (nb * (len(pairs) - nb))


DATA = os.path.join(TMP, "train.csv")
make_csv(DATA)


def fit(*extra, out="model.scorecard"):
    p = run("scorecard", "fit", "--csv", DATA, "--target", "bad", "--drop", "id",
            "--out", os.path.join(TMP, out), *extra)
    last = p.stdout.strip().splitlines()[-1]
    m = LAST.match(last)
    assert m, f"last line: {last!r}"
    return p, m


@test
def fit_with_split_column_reports_and_discriminates():
    p, m = fit("--split-column", "split", "--report", os.path.join(TMP, "report"))
    rows_train, rows_test = int(m.group(1)), int(m.group(2))
    assert rows_train + rows_test == 6000 and 1500 < rows_test < 2100, m.groups()
    assert float(m.group(4)) > 0.75, m.groups()
    assert float(m.group(5)) > 0.35, m.groups()
    # The noise columns are screened out; the signal is kept.
    kept = {l.split()[0] for l in p.stdout.splitlines() if l.endswith(" kept")}
    assert {"utilisation", "inquiries", "months_on_book", "home"} <= kept, p.stdout
    assert "noise" not in kept and "region" not in kept, p.stdout
    for name in ("report.html", "roc.svg", "scores.svg"):
        text = open(os.path.join(TMP, "report", name), encoding="utf-8").read()
        assert text.startswith("<svg") or text.startswith("<!DOCTYPE html>"), name
    html = open(os.path.join(TMP, "report", "report.html"), encoding="utf-8").read()
    assert 'src="roc.svg"' in html and "Gains by score decile" in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    model = open(os.path.join(TMP, "model.scorecard"), encoding="utf-8").read()
    assert model.splitlines()[1] == "creditref-scorecard 1"
    assert 'feature "home" categorical' in model and "bin missing" in model


@test
def apply_scores_every_row_in_order():
    _, m = fit("--split-column", "split")
    out = os.path.join(TMP, "scores.csv")
    p = run("scorecard", "apply", "--model", os.path.join(TMP, "model.scorecard"),
            "--csv", DATA, "--out", out)
    assert p.stdout.strip().splitlines()[-1].startswith("rows=6000 model=model "), p.stdout
    rows = list(csv.reader(open(out, newline="")))
    assert rows[0] == ["row", "score", "pd", "reason1", "reason2", "reason3", "reason4"]
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 6001))
    features = {"utilisation", "inquiries", "months_on_book", "home"}
    for r in rows[1:]:
        assert 350 <= int(r[1]) <= 950 and 0 < float(r[2]) < 1, r
        reasons = [x for x in r[3:] if x]
        assert set(reasons) <= features and r[3:3 + len(reasons)] == reasons, r
    # The fit's held-out AUC, from apply's probabilities: the same model.
    data = list(csv.DictReader(open(DATA, newline="")))
    pairs = [(float(s[2]), int(d["bad"])) for s, d in zip(rows[1:], data) if d["split"] == "test"]
    assert abs(auc(pairs) - float(m.group(4))) < 1e-4, (auc(pairs), m.group(4))
    # A higher score is a lower risk.
    ranked = sorted(rows[1:], key=lambda r: int(r[1]))
    low = sum(int(data[int(r[0]) - 1]["bad"]) for r in ranked[:600])
    high = sum(int(data[int(r[0]) - 1]["bad"]) for r in ranked[-600:])
    assert low > 3 * high, (low, high)


@test
def fit_without_split_holds_out_by_hash_reproducibly():
    _, m = fit(out="a.scorecard")
    _, m2 = fit("--model-id", "a", out="a2.scorecard")
    rows_test = int(m.group(2))
    assert 1650 < rows_test < 1950, m.groups()
    assert m.groups() == m2.groups()
    a = open(os.path.join(TMP, "a.scorecard"), encoding="utf-8").read()
    b = open(os.path.join(TMP, "a2.scorecard"), encoding="utf-8").read()
    assert a == b, "the same data and options must give the same model file"


@test
def ragged_row_refused_with_its_line():
    bad = os.path.join(TMP, "ragged.csv")
    with open(bad, "w") as f:
        f.write("x,bad\n1,0\n\"two\nlines\",1\n3,0,9\n4,1\n")
    p = run("scorecard", "fit", "--csv", bad, "--target", "bad", "--out",
            os.path.join(TMP, "r.scorecard"), ok=False)
    assert p.returncode == 1, p
    assert "line 5" in p.stderr and "different number of fields" in p.stderr, p.stderr


@test
def apply_names_a_missing_feature_column():
    fit("--split-column", "split")
    short = os.path.join(TMP, "short.csv")
    with open(short, "w") as f:
        f.write("utilisation,inquiries,home\n0.5,2,own\n")
    p = run("scorecard", "apply", "--model", os.path.join(TMP, "model.scorecard"),
            "--csv", short, "--out", os.path.join(TMP, "s.csv"), ok=False)
    assert p.returncode == 1 and "months_on_book" in p.stderr, p.stderr
    p = run("scorecard", "apply", "--model", DATA, "--csv", short,
            "--out", os.path.join(TMP, "s.csv"), ok=False)
    assert p.returncode == 1 and "line 1" in p.stderr, p.stderr


if __name__ == "__main__":
    sys.exit(main("scorecard", cleanup=lambda: shutil.rmtree(TMP, ignore_errors=True)))
