// person.js - a person's own file (subject key): the report with its grid
// and score, consents with a revoke button, who looked, and disputes.

import {el, fill, table} from "./dom.js";
import {call} from "./api.js";
import {t, term, date} from "./i18n.js";
import {render} from "./report.js";
import {notice, failure} from "./ui.js";

const DISPUTE_DAYS = 20;

function addDays(iso, n) {
  const d = new Date(iso + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// The dispute form under an account: an optional month and a reason.
function disputeForm(a, done) {
  const monthIn = el("input", {name: "month", placeholder: "YYYY-MM", pattern: "\\d{4}-\\d{2}", size: 8});
  const reasonIn = el("input", {name: "reason", required: true, size: 40, maxlength: 500});
  const out = el("div", {class: "form-out"});
  const form = el("form", {class: "inline dispute-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const body = {institution: a.institution, account: a.account, reason: reasonIn.value};
    if (monthIn.value) body.month = monthIn.value;
    try {
      const r = await call("POST", "/v1/me/disputes", body);
      fill(out, notice(t("dispute_filed", r.dispute_id, r.answer_within_days)));
      done();
    } catch (e) { fill(out, failure(e)); }
  }},
  el("label", {}, t("month_optional"), " ", monthIn), " ",
  el("label", {}, t("reason"), " ", reasonIn), " ",
  el("button", {type: "submit"}, t("submit")), out);
  return form;
}

export async function report(main) {
  const doc = await call("GET", "/v1/me/report");
  const t0 = performance.now();
  const view = render(doc, (a) => {
    const slot = el("span", {class: "dispute-slot"});
    return el("span", {class: "no-print"},
      el("button", {type: "button", class: "small", onclick: () => {
        fill(slot, disputeForm(a, () => {}));
      }}, t("file_dispute")), slot);
  });
  fill(main, el("div", {class: "toolbar no-print"},
    el("button", {type: "button", onclick: () => window.print()}, t("print"))), view);
  main.dataset.renderMs = String(performance.now() - t0);
}

export async function consents(main) {
  const doc = await call("GET", "/v1/me/consents");
  const out = el("div", {class: "form-out"});
  const rows = doc.consents.map((c) => [c.institution, term("scope", c.scope), c.purpose ? term("purpose", c.purpose) : "—", date(c.granted),
    date(c.expires), c.revoked ? t("revoked") + " " + date(c.revoked) : c.live ? {v: t("live"), class: "ok"} : t("ended"),
    !c.live ? "" : el("button", {type: "button", class: "small revoke", "data-institution": c.institution,
      "data-scope": c.scope, onclick: async () => {
        const id = window.prompt(t("revoke_confirm", c.institution, term("scope", c.scope)));
        if (!id) return;
        const body = {id: id.trim().toUpperCase(), institution: c.institution, scope: c.scope};
        if (c.purpose) body.purpose = c.purpose;
        try {
          await call("POST", "/v1/consents/revoke", body);
          await consents(main);
          main.prepend(notice(t("revoked_ok")));
        } catch (e) { fill(out, failure(e)); }
      }}, t("revoke"))]);
  fill(main, el("p", {class: "muted"}, t("consents_help")), out,
    table([t("institution"), t("scope"), t("purpose"), t("granted"), t("expires"), t("status"), ""],
      rows, {class: "consents"}));
}

export async function access(main) {
  const doc = await call("GET", "/v1/me/access");
  const rows = doc.accesses.slice().reverse().map((a) => [date(a.time), a.institution || "—",
    t("role_" + a.role), term("act", a.action), a.purpose ? term("purpose", a.purpose) : "—",
    term("out", a.outcome)]);
  fill(main, table([t("time"), t("institution"), t("role"), t("action"), t("purpose"), t("outcome")],
    rows, {class: "access"}));
}

export async function disputes(main) {
  const doc = await call("GET", "/v1/me/disputes");
  const rows = doc.disputes.map((d) => [String(d.dispute_id), date(d.filed), d.institution, d.account,
    d.month || "—", {v: term("ds", d.status), class: "ds-" + d.status}, d.status === "open" ? date(addDays(d.filed, DISPUTE_DAYS)) : "—",
    d.resolved ? date(d.resolved) : "—", d.reason]);
  fill(main, el("p", {class: "muted"}, t("file_dispute") + ": " + t("tab_report") + " → " + t("file_dispute")),
    rows.length ? table(["#", t("filed"), t("institution"), t("account"), t("month"), t("status"),
      t("deadline"), t("resolved"), t("reason")], rows, {class: "disputes"}) : el("p", {class: "muted"}, t("none")));
}

// What the person holds on every platform's shelf (delisted ones marked:
// the holder keeps seeing them) and what they are offered.
export async function products(main) {
  const doc = await call("GET", "/v1/shelf");
  const row = (p) => [p.platform, p.name, term("cat", p.category), p.issuer, p.licence || "—"];
  const head = [t("platform"), t("product_name"), t("category"), t("issuer"), t("licence")];
  fill(main,
    el("h3", {}, t("held_products")),
    doc.held.length ? table(head.concat([t("since"), ""]), doc.held.map((p) =>
      row(p).concat([date(p.since), p.delisted ? {v: t("delisted"), class: "warn"} : ""])), {class: "held"})
      : el("p", {class: "muted"}, t("none")),
    el("h3", {}, t("offered_products")),
    doc.offered.length ? table(head, doc.offered.map(row), {class: "offered"})
      : el("p", {class: "muted"}, t("none")));
}

export const tabs = [["tab_report", report], ["tab_consents", consents], ["tab_access", access],
  ["tab_disputes", disputes], ["tab_products", products]];
