// console.js - the console's frame: the language, signing in with a key
// (GET /v1/whoami says which views it opens), the tabs of the key's role,
// and signing out.  Each view lives in its own module.

import {el, fill} from "./dom.js";
import {call, key, setKey, clearKey} from "./api.js";
import {t, language, setLanguage} from "./i18n.js";
import {failure} from "./ui.js";
import * as person from "./person.js";
import * as institution from "./institution.js";
import * as supervisor from "./supervisor.js";
import * as operator from "./operator.js";

const TABS = {subject: person.tabs, lender: institution.lenderTabs, furnisher: institution.furnisherTabs,
  supervisor: supervisor.tabs, operator: operator.tabs};

const $ = (id) => document.getElementById(id);
let who = null, current = 0;

function chrome() {
  document.title = t("title");
  $("lang-label").textContent = t("language");
  $("signout").textContent = t("signout");
  $("lang").value = language();
  $("signout").hidden = !who;
  fill($("who"), who ? t("role_" + who.role) + (who.institution ? " · " + who.institution : "") +
    " · " + t("as_of", who.as_of) : "");
}

function signIn() {
  const input = el("input", {type: "password", id: "key", name: "key", autocomplete: "off", size: 70,
    placeholder: "crk_…", required: true});
  const out = el("div");
  fill($("tabs"));
  delete $("main").dataset.ready;
  fill($("main"), el("section", {class: "card signin"},
    el("h2", {}, t("signin_title")), el("p", {class: "muted"}, t("signin_help")),
    el("form", {id: "signin", onsubmit: async (ev) => {
      ev.preventDefault();
      setKey(input.value.trim());
      try { await start(); } catch (e) { clearKey(); who = null; fill(out, el("p", {class: "error"}, t("bad_key", e.message))); }
    }}, el("label", {}, t("key"), " ", input), " ", el("button", {type: "submit", id: "signin-button"}, t("signin"))), out));
  input.focus();
}

async function show(i) {
  current = i;
  const tabs = TABS[who.role];
  for (const [j, b] of [...$("tabs").children].entries()) b.setAttribute("aria-selected", String(j === i));
  const main = $("main");
  delete main.dataset.ready;
  delete main.dataset.renderMs;
  fill(main, el("p", {class: "muted"}, t("loading")));
  const t0 = performance.now();
  try {
    await tabs[i][1](main, who);
  } catch (e) { fill(main, failure(e)); }
  // The mark says the view is complete (the browser tests wait for it), and
  // how long it took with the API's answers; a report view also marks the
  // time it took to draw once its answer came (data-render-ms).
  main.dataset.totalMs = String(Math.round(performance.now() - t0));
  main.dataset.ready = String(Date.now());
}

async function start() {
  who = await call("GET", "/v1/whoami");
  chrome();
  const tabs = TABS[who.role] || [];
  fill($("tabs"), tabs.map(([k], i) => el("button", {type: "button", class: "tab", "data-tab": k,
    onclick: () => show(i)}, t(k))));
  await show(Math.min(current, tabs.length - 1));
}

$("lang").addEventListener("change", async () => {
  setLanguage($("lang").value);
  chrome();
  if (who) await start(); else signIn();
});
$("signout").addEventListener("click", () => {
  clearKey();
  who = null;
  current = 0;
  chrome();
  signIn();
});

chrome();
if (key()) start().catch(() => { clearKey(); who = null; chrome(); signIn(); });
else signIn();
