// report.js - a credit report (docs/report.md) drawn as the page: the
// person, the score and its reasons, the summary, every account with its
// 60-month grid as coloured cells, and the inquiries.  Shared by the
// person's own view and the lender's.

import {el, table} from "./dom.js";
import {t, term, money, num, pct, date, month} from "./i18n.js";

// Status code -> CSS class and the legend's string key.
const CODES = [["N", "N"], ["1", "1"], ["2", "2"], ["3", "3"], ["4", "4"], ["5", "5"], ["6", "6"],
  ["7", "7"], ["C", "C"], ["G", "G"], ["D", "D"], ["Z", "Z"], ["*", "star"], ["#", "hash"], ["/", "slash"]];
const NAME = Object.fromEntries(CODES);

export function statusName(code) { return t("st_" + (NAME[code] || "hash")); }

// The month i cells before the as-of month, "YYYY-MM".
function monthBefore(asOf, back) {
  let y = Number(asOf.slice(0, 4)), m = Number(asOf.slice(5, 7)) - back;
  while (m <= 0) { m += 12; y -= 1; }
  return y + "-" + String(m).padStart(2, "0");
}

// The grid string (60 characters, oldest first, the last the as-of month)
// as cells; each carries its status in data-status and says its month and
// meaning in its title.
export function grid(g, asOf) {
  const cells = [];
  for (let i = 0; i < g.length; i++) {
    const c = g[i], m = monthBefore(asOf, g.length - 1 - i);
    cells.push(el("span", {class: "cell st-" + (NAME[c] || "hash"), "data-status": c, "data-month": m,
      title: month(m) + ": " + statusName(c), role: "img", "aria-label": m + " " + statusName(c)},
      /[1-7]/.test(c) ? c : ""));
  }
  return el("div", {class: "grid", "data-grid": g}, cells);
}

export function legend() {
  return el("div", {class: "legend"}, el("span", {class: "legend-title"}, t("legend")),
    CODES.map(([c, n]) => el("span", {class: "legend-item"},
      el("span", {class: "cell st-" + n}, /[1-7]/.test(c) ? c : ""), " ", c, " ", t("st_" + n))));
}

function scoreBlock(s) {
  if (!s) return el("section", {class: "card score"}, el("h3", {}, t("score")), el("p", {class: "muted"}, t("no_score")));
  return el("section", {class: "card score"},
    el("h3", {}, t("score")),
    el("div", {class: "score-value", "data-score": s.score}, num(s.score)),
    el("div", {class: "muted"}, t("pd") + " " + pct(s.pd, 2) + " · " + t("model") + " " + s.model_id),
    s.reasons && s.reasons.length ? el("ol", {class: "reasons"},
      s.reasons.map((r) => el("li", {"data-code": r.code}, term("reason", r.code, r.reason)))) : null);
}

function kv(label, value) {
  return el("div", {class: "kv"}, el("span", {class: "k"}, label), el("span", {class: "v"}, value));
}

function account(a, asOf, actions) {
  const cur = a.current || {}, last = a.latest || {};
  return el("section", {class: "account" + (a.held ? " held" : ""), "data-account": a.account, "data-institution": a.institution},
    el("div", {class: "account-head"},
      el("strong", {}, a.institution + " · " + a.account),
      el("span", {class: "tag"}, t("prod_" + a.product)),
      el("span", {class: "tag"}, term("acct", a.status)),
      a.held ? el("span", {class: "tag warn"}, t("held")) : null,
      el("span", {class: "spacer"}),
      actions ? actions(a) : null),
    el("div", {class: "account-facts"},
      kv(t("opened"), date(a.opened)),
      a.credit_limit !== undefined ? kv(t("total_limit"), money(a.credit_limit)) : null,
      kv(t("balance"), money(cur.balance !== undefined ? cur.balance : last.balance)),
      kv(t("overdue"), money(cur.overdue !== undefined ? cur.overdue : last.overdue)),
      kv(t("dpd"), num(cur.dpd !== undefined ? cur.dpd : last.dpd))),
    el("div", {class: "grid-label muted"}, t("grid")),
    grid(a.grid, asOf),
    a.disputes && a.disputes.length ? el("div", {class: "muted"}, t("disputes_on_file") + ": " +
      a.disputes.map((d) => "#" + d.id + " " + (d.month || "") + " " + term("ds", d.status)).join(", ")) : null);
}

// The whole report; actions(account) may add buttons to each account.
export function render(doc, actions) {
  const r = doc.report, s = doc.subject, sum = doc.summary;
  const asOf = r.as_of.slice(0, 7);
  return el("article", {class: "report", "data-purpose": r.purpose},
    el("header", {class: "report-head"},
      el("h2", {}, t("report_for")),
      el("div", {class: "muted"}, t("as_of", date(r.as_of)) + " · " + t("purpose") + ": " + term("purpose", r.purpose) +
        (r.requested_by ? " · " + t("requested_by") + ": " + r.requested_by : ""))),
    el("div", {class: "cards"},
      el("section", {class: "card person"},
        kv(t("name"), el("span", {class: "subject-name"}, s.name)),
        kv(t("id"), s.id), kv(t("birth"), date(s.birth_date))),
      doc.score !== undefined ? scoreBlock(doc.score) : null,
      el("section", {class: "card"}, el("h3", {}, t("summary")),
        kv(t("accounts"), num(sum.accounts)),
        kv(t("total_limit"), money(sum.total_credit_limit)),
        kv(t("total_balance"), money(sum.total_balance)),
        kv(t("total_overdue"), money(sum.total_overdue)),
        kv(t("lenders_with_balance"), num(sum.lenders_with_open_balance)),
        kv(t("ever_overdue"), num(sum.accounts_ever_overdue)),
        kv(t("worst_24m"), sum.worst_status_24m + " " + statusName(sum.worst_status_24m)))),
    legend(),
    el("h3", {}, t("accounts_h")),
    doc.accounts.length ? doc.accounts.map((a) => account(a, asOf, actions)) : el("p", {class: "muted"}, t("no_accounts")),
    el("h3", {}, t("inquiries")),
    doc.inquiries.length ? table([t("date"), t("institution"), t("purpose")],
      doc.inquiries.map((q) => [date(q.date), q.institution || "—", term("purpose", q.purpose)]), {class: "inquiries"})
      : el("p", {class: "muted"}, t("none")));
}
