// ui.js - small pieces every view uses: a notice, an error, a figure card.

import {el} from "./dom.js";
import {t} from "./i18n.js";

export function notice(text) { return el("p", {class: "notice", role: "status"}, text); }

// An API error as the user should read it: the server's own detail.
export function failure(e) {
  return el("p", {class: "error", role: "alert", "data-status": e.status || ""},
    e.status === 403 && e.problem && e.problem.detail ? t("refused", e.problem.detail) : t("error", e.message));
}

export function figure(label, value, attrs) {
  return el("div", Object.assign({class: "figure"}, attrs || {}),
    el("div", {class: "figure-value"}, value), el("div", {class: "figure-label"}, label));
}

// "1,234.56" (yuan, as typed) to integer fen, exactly (no floating point);
// null when it is not an amount of at most two decimals.
export function fen(text) {
  const m = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(String(text).replace(/[,\s]/g, ""));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || "0").padEnd(2, "0"));
}
