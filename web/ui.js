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
