// institution.js - a lender's and a furnisher's views: a report asked for
// by ID and purpose (the refusal shown when the consent rules refuse), the
// alert feed with a filter, the webhook, and a furnishing upload with the
// reconciled counts and the rejected lines.

import {el, fill, table} from "./dom.js";
import {call} from "./api.js";
import {t, term, date, num} from "./i18n.js";
import {render} from "./report.js";
import {notice, failure, figure, fen} from "./ui.js";

const PURPOSES = ["loan_approval", "card_approval", "post_loan", "guarantee"];
const KINDS = ["dpd30", "new_account", "exposure_rise", "inquiries"];

export async function ask(main) {
  const idIn = el("input", {name: "id", required: true, size: 20, maxlength: 18, autocomplete: "off"});
  const purpose = el("select", {name: "purpose"}, PURPOSES.map((p) => el("option", {value: p}, term("purpose", p))));
  const out = el("div", {class: "report-out"});
  fill(main, el("form", {class: "inline ask", onsubmit: async (ev) => {
    ev.preventDefault();
    fill(out, el("p", {class: "muted"}, t("loading")));
    try {
      const doc = await call("POST", "/v1/reports", {id: idIn.value.trim().toUpperCase(), purpose: purpose.value});
      const t0 = performance.now();
      fill(out, render(doc));
      main.dataset.renderMs = String(performance.now() - t0);
    } catch (e) { fill(out, failure(e)); }
  }}, el("label", {}, t("id"), " ", idIn), " ", el("label", {}, t("purpose"), " ", purpose), " ",
  el("button", {type: "submit"}, t("ask"))), out);
}

// The feed after a cursor, a page at a time; the filter is by kind.
export async function alerts(main) {
  const kind = el("select", {name: "kind"}, el("option", {value: ""}, t("all_kinds")),
    KINDS.map((k) => el("option", {value: k}, k)));
  const body = el("tbody");
  const more = el("button", {type: "button"}, t("more"));
  const out = el("div");
  let after = "", rows = [];
  const draw = () => fill(body, rows.filter((a) => !kind.value || a.kind === kind.value).map((a) =>
    el("tr", {"data-kind": a.kind}, el("td", {}, a.cursor), el("td", {}, a.kind), el("td", {}, a.subject),
      el("td", {}, date(a.at)), el("td", {}, date(a.raised)), el("td", {}, (a.accounts || []).join(", ")))));
  const page = async () => {
    try {
      const doc = await call("GET", "/v1/alerts?limit=100" + (after ? "&after=" + encodeURIComponent(after) : ""));
      rows = rows.concat(doc.alerts);
      if (doc.next) after = doc.next;
      more.disabled = doc.alerts.length === 0;
      draw();
    } catch (e) { fill(out, failure(e)); }
  };
  kind.addEventListener("change", draw);
  more.addEventListener("click", page);
  fill(main, el("div", {class: "toolbar"}, el("label", {}, t("kind"), " ", kind), " ", more), out,
    el("table", {class: "alerts"}, el("thead", {}, el("tr", {}, [t("cursor"), t("kind"), t("subject"), t("at"),
      t("raised"), t("account")].map((h) => el("th", {}, h)))), body));
  await page();
}

export async function webhook(main) {
  const out = el("div", {class: "form-out"});
  const state = el("div");
  const urlIn = el("input", {name: "url", type: "url", size: 50, required: true, placeholder: "https://"});
  const load = async () => {
    try {
      const w = await call("GET", "/v1/webhook"), d = w.delivery || {};
      urlIn.value = w.url || "";
      fill(state, table([t("webhook_url"), t("cursor"), t("backlog"), t("failures"), t("last_attempt")],
        [[w.url, String(d.cursor ?? "—"), num(d.backlog), num(d.failures), date(d.last_attempt)]], {class: "webhook"}));
    } catch (e) {
      fill(state, e.status === 404 ? el("p", {class: "muted"}, t("no_webhook")) : failure(e));
    }
  };
  fill(main, el("form", {class: "inline", onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      const r = await call("PUT", "/v1/webhook", {url: urlIn.value});
      fill(out, notice(t("secret_once", r.secret)));
      await load();
    } catch (e) { fill(out, failure(e)); }
  }}, el("label", {}, t("webhook_url"), " ", urlIn), " ", el("button", {type: "submit"}, t("save")), " ",
  el("button", {type: "button", onclick: async () => {
    try { await call("DELETE", "/v1/webhook"); fill(out); await load(); } catch (e) { fill(out, failure(e)); }
  }}, t("remove"))), out, state);
  await load();
}

// A JSON Lines file read in the browser and posted as it is.
export async function upload(main) {
  const file = el("input", {type: "file", name: "file", accept: ".jsonl,.json,.txt,application/x-ndjson"});
  const out = el("div", {class: "upload-out"});
  fill(main, el("p", {class: "muted"}, t("upload_help")), el("form", {class: "inline upload", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!file.files.length) return;
    fill(out, el("p", {class: "muted"}, t("loading")));
    try {
      const r = await call("POST", "/v1/furnish", await file.files[0].text());
      fill(out, el("div", {class: "figures counts"},
        ["submitted", "accepted", "rejected", "held", "unchanged"].map((k) =>
          figure(t(k === "held" ? "held_records" : k), num(r[k]), {"data-count": k, "data-value": r[k]}))),
      r.rejects.length ? table([t("line"), t("field"), t("reason")],
        r.rejects.map((x) => [String(x.line), x.field || "—", x.reason]), {class: "rejects"}) : null);
    } catch (e) { fill(out, failure(e)); }
  }}, file, " ", el("button", {type: "submit"}, t("upload"))), out);
}

const STATUSES = ["N", "1", "2", "3", "4", "5", "6", "7", "C", "G", "D", "Z", "*", "#"];

// The correction of a disputed month: the statement that replaces it
// (docs/FORMAT.md "statement"), amounts typed in yuan and sent in fen.
function correctionForm(d, done) {
  const out = el("div", {class: "form-out"});
  const amounts = ["balance", "due", "paid", "overdue"].map((k) =>
    [k, el("input", {name: k, size: 10, inputmode: "decimal", required: true, value: "0.00"})]);
  const dpd = el("input", {name: "dpd", size: 5, inputmode: "numeric", required: true, value: "0"});
  const status = el("select", {name: "status"}, STATUSES.map((c) => el("option", {value: c}, c)));
  return el("form", {class: "inline correction", onsubmit: async (ev) => {
    ev.preventDefault();
    const body = {type: "statement", institution: d.institution, account: d.account, month: d.month,
      dpd: Number(dpd.value), status: status.value};
    for (const [k, input] of amounts) {
      const v = fen(input.value);
      if (v === null) { fill(out, el("p", {class: "error"}, t("bad_amount", t(k)))); return; }
      body[k] = v;
    }
    try {
      await call("POST", "/v1/disputes/" + d.dispute_id + "/correct", body);
      await done();
    } catch (e) { fill(out, failure(e)); }
  }}, amounts.map(([k, input]) => el("label", {}, t(k), " ", input)),
  el("label", {}, t("dpd"), " ", dpd), el("label", {}, t("status"), " ", status),
  el("button", {type: "submit"}, t("submit")), out);
}

// Disputes about the institution's accounts: verify (the item stands) or
// correct the disputed month; the person sees the answer in their file.
export async function disputes(main) {
  const doc = await call("GET", "/v1/disputes");
  const out = el("div", {class: "form-out"});
  const redraw = () => disputes(main);
  const rows = doc.disputes.map((d) => {
    const slot = el("div");
    const open = d.status === "open";
    return [String(d.dispute_id), date(d.filed), d.account, d.month || "—", d.reason,
      {v: term("ds", d.status), class: "ds-" + d.status},
      open ? el("span", {class: "answer", "data-dispute": d.dispute_id},
        el("button", {type: "button", class: "small verify", onclick: async () => {
          try { await call("POST", "/v1/disputes/" + d.dispute_id + "/verify"); await redraw(); }
          catch (e) { fill(out, failure(e)); }
        }}, t("verify_stands")), " ",
        d.month ? el("button", {type: "button", class: "small correct", onclick: () =>
          fill(slot, correctionForm(d, redraw))}, t("correct")) : null, slot) : (d.resolved ? date(d.resolved) : "—")];
  });
  fill(main, el("p", {class: "muted"}, t("disputes_help")), out,
    rows.length ? table(["#", t("filed"), t("account"), t("month"), t("reason"), t("status"), ""], rows,
      {class: "disputes"}) : el("p", {class: "muted"}, t("none")));
}

export const lenderTabs = [["tab_ask", ask], ["tab_alerts", alerts], ["tab_webhook", webhook]];
export const furnisherTabs = [["tab_upload", upload], ["tab_disputes", disputes], ["tab_alerts", alerts]];
