// operator.js - running the bureau (operator key): API keys (list, add with
// a role, revoke; a new key is shown once), audit verification, and the
// store's size and health from /v1/stats and /metrics.

import {el, fill, table} from "./dom.js";
import {call} from "./api.js";
import {t, date, num} from "./i18n.js";
import {notice, failure, figure} from "./ui.js";

const ROLES = ["furnisher", "lender", "subject", "supervisor", "operator"];

export async function keys(main, who) {
  const out = el("div", {class: "form-out"});
  const role = el("select", {name: "role"}, ROLES.map((r) => el("option", {value: r}, t("role_" + r))));
  const inst = el("input", {name: "institution", size: 10, placeholder: "B0001"});
  const pid = el("input", {name: "id", size: 20, maxlength: 18, autocomplete: "off"});
  const list = el("div");
  const load = async () => {
    const doc = await call("GET", "/v1/keys");
    fill(list, table([t("key_id"), t("role"), t("institution"), t("created"), t("revoked"), ""],
      doc.keys.map((k) => [k.key_id, t("role_" + k.role), k.institution || (k.person ? t("role_subject") : "—"),
        date(k.created), k.revoked ? date(k.revoked) : t("live"),
        k.key_id === who.key_id ? t("this_key") : k.revoked ? "" : el("button", {type: "button", class: "small revoke", "data-key": k.key_id, onclick: async () => {
          try { await call("DELETE", "/v1/keys/" + k.key_id); await load(); } catch (e) { fill(out, failure(e)); }
        }}, t("revoke"))]), {class: "keys"}));
  };
  fill(main, el("form", {class: "inline add-key", onsubmit: async (ev) => {
    ev.preventDefault();
    const body = {role: role.value};
    if (inst.value) body.institution = inst.value.trim();
    if (pid.value) body.id = pid.value.trim().toUpperCase();
    try {
      const r = await call("POST", "/v1/keys", body);
      fill(out, el("p", {class: "notice new-key"}, t("new_key_once", ""), el("code", {class: "token"}, r.token)));
      await load();
    } catch (e) { fill(out, failure(e)); }
  }}, el("label", {}, t("role"), " ", role), " ", el("label", {}, t("institution"), " ", inst), " ",
  el("label", {}, t("person_id"), " ", pid), " ", el("button", {type: "submit"}, t("add_key"))), out, list);
  await load();
}

export async function audit(main) {
  const out = el("div");
  fill(main, el("button", {type: "button", onclick: async () => {
    fill(out, el("p", {class: "muted"}, t("loading")));
    try {
      const v = await call("GET", "/v1/audit/verify");
      fill(out, el("div", {class: "figures audit", "data-intact": String(v.intact)},
        figure(t("intact"), v.intact ? t("yes") : t("no"), {class: "figure " + (v.intact ? "ok" : "bad")}),
        figure(t("entries"), num(v.entries)), figure(t("head"), num(v.head_seq))),
      v.message ? notice(v.message) : null);
    } catch (e) { fill(out, failure(e)); }
  }}, t("verify")), out);
}

// Prometheus text: the creditref_store_* gauges, one row each.
export async function health(main) {
  const stats = await call("GET", "/v1/stats");
  const text = await call("GET", "/metrics");
  const rows = text.split("\n").filter((l) => /^creditref_store_[a-z0-9_]+ /.test(l))
    .map((l) => l.split(" ")).map(([k, v]) => [k, num(Number(v))]);
  fill(main, el("div", {class: "figures"},
    figure(t("store_bytes"), num(stats.file_bytes / 1048576, 1) + " MiB"), figure(t("people"), num(stats.subjects)),
    figure(t("accounts"), num(stats.accounts)), figure(t("account_months"), num(stats.account_months))),
  table([t("metric"), t("value")], rows, {class: "health"}));
}

export const tabs = [["tab_keys", keys], ["tab_audit", audit], ["tab_health", health]];
