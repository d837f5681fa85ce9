// supervisor.js - the market seen whole (supervisor key), never an
// individual: store-wide counts, past-due shares month by month and
// multi-lending (GET /v1/supervision/aggregates, small cells suppressed by
// the server), data quality per furnisher and co-lending funding shares.

import {el, fill, table} from "./dom.js";
import {call} from "./api.js";
import {t, num, pct, money, month} from "./i18n.js";
import {figure, failure} from "./ui.js";

const BUCKETS = ["1-30", "31-60", "61-90", "91-180", "180+"];
const COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"];

function monthsBack(asOf, n) {
  const out = [];
  let y = Number(asOf.slice(0, 4)), m = Number(asOf.slice(5, 7));
  for (let i = 0; i < n; i++) {
    out.unshift(y + "-" + String(m).padStart(2, "0"));
    if (--m === 0) { m = 12; y--; }
  }
  return out;
}

// A chart on a canvas of its own; without the library the figures stay in
// the tables beside it.
function chart(canvas, config) {
  if (typeof window.Chart !== "function") return null;
  config.options = Object.assign({animation: false, responsive: true, maintainAspectRatio: false}, config.options || {});
  return new window.Chart(canvas, config);
}

export async function market(main, who) {
  const stats = await call("GET", "/v1/stats");
  const months = monthsBack(who.as_of, 12);
  const trend = el("canvas", {id: "chart-delinquency", "aria-label": t("delinquency_trend")});
  const multi = el("canvas", {id: "chart-multi", "aria-label": t("multi_lending")});
  const trendTable = el("div"), multiTable = el("div");
  fill(main,
    el("div", {class: "figures"},
      figure(t("people"), num(stats.subjects)), figure(t("accounts"), num(stats.accounts)),
      figure(t("institutions"), num(stats.institutions)), figure(t("account_months"), num(stats.account_months)),
      figure(t("inquiries"), num(stats.inquiries)), figure(t("held_records"), num(stats.held_records))),
    el("section", {class: "card wide"}, el("h3", {}, t("delinquency_trend")), el("div", {class: "chart"}, trend), trendTable),
    el("section", {class: "card wide"}, el("h3", {}, t("multi_lending") + " · " + month(who.as_of.slice(0, 7))),
      el("div", {class: "chart"}, multi), multiTable));
  // The twelve months in one request: the server builds those it does not
  // keep in one pass over the market.
  const series = [];
  let range;
  fill(trendTable, el("p", {class: "muted"}, t("building_months")));
  try {
    range = await call("GET", "/v1/supervision/aggregates?from=" + months[0] + "&to=" +
      months[months.length - 1] + "&by=product");
  } catch (e) { trendTable.appendChild(failure(e)); return; }
  for (const doc of range.months) {
    let total = 0, hidden = 0;
    const late = Object.fromEntries(BUCKETS.map((b) => [b, 0]));
    for (const c of doc.cells) {
      if (c.suppressed) { hidden++; continue; }
      total += c.delinquency["0"] + BUCKETS.reduce((s, b) => s + c.delinquency[b], 0);
      for (const b of BUCKETS) late[b] += c.delinquency[b];
    }
    series.push({month: doc.month, total, late, doc, hidden, min: doc.min_cell});
  }
  chart(trend, {type: "line", data: {labels: series.map((s) => month(s.month)),
    datasets: BUCKETS.map((b, i) => ({label: b, borderColor: COLOURS[i], backgroundColor: COLOURS[i],
      data: series.map((s) => s.total ? s.late[b] / s.total : null)}))},
  options: {scales: {y: {min: 0, ticks: {callback: (v) => pct(v)}}}}});
  // A month whose every cell is under the minimum says so, not 0%.
  fill(trendTable, table([t("month"), t("accounts")].concat(BUCKETS), series.map((s) => s.total
    ? [month(s.month), num(s.total) + (s.hidden ? " " + t("plus_suppressed", s.hidden) : "")]
      .concat(BUCKETS.map((b) => pct(s.late[b] / s.total, 2)))
    : [month(s.month), {v: t("all_suppressed", s.min), class: "muted"}].concat(BUCKETS.map(() => "—"))),
  {class: "delinquency"}));
  // Multi-lending of the latest month, by product.
  const last = series[series.length - 1];
  const cells = last ? last.doc.cells.filter((c) => !c.suppressed && c.multi_lending) : [];
  const labels = cells.length ? cells[0].multi_lending.map((x) => x.lenders) : [];
  chart(multi, {type: "bar", data: {labels, datasets: cells.map((c, i) => ({label: t("prod_" + c.key),
    backgroundColor: COLOURS[i % COLOURS.length], data: c.multi_lending.map((x) => x.borrowers)}))},
  options: {scales: {x: {title: {display: true, text: t("lenders")}}}}});
  fill(multiTable, table([t("product"), t("lenders"), t("borrowers"), t("outstanding")],
    cells.flatMap((c) => c.multi_lending.map((x) => [t("prod_" + c.key), x.lenders, num(x.borrowers), money(x.outstanding)])),
    {class: "multi"}));
}

export async function quality(main) {
  const doc = await call("GET", "/v1/supervision/quality");
  const rows = doc.institutions.filter((q) => q.institution !== "-");
  const canvas = el("canvas", {id: "chart-quality"});
  fill(main, el("p", {class: "muted"}, doc.from + " – " + doc.to),
    el("section", {class: "card wide"}, el("h3", {}, t("quality_chart")), el("div", {class: "chart"}, canvas)),
    table([t("institution"), t("submitted"), t("accepted"), t("rejected"), t("held_records"), t("coverage"),
      t("lag"), t("gaps")], rows.map((q) => [q.institution, num(q.submitted), num(q.accepted), num(q.rejected),
      num(q.held), pct(q.consent_coverage_bp / 10000), (q.lag_p50_s < 0 ? "—" : num(q.lag_p50_s) + " s") + " / " +
      (q.lag_p99_s < 0 ? "—" : num(q.lag_p99_s) + " s"), num(q.accounts_with_gaps)]), {class: "quality"}));
  chart(canvas, {type: "bar", data: {labels: rows.map((q) => q.institution), datasets: [
    {label: t("accepted"), backgroundColor: COLOURS[4], data: rows.map((q) => q.accepted)},
    {label: t("held_records"), backgroundColor: COLOURS[5], data: rows.map((q) => q.held)},
    {label: t("rejected"), backgroundColor: COLOURS[2], data: rows.map((q) => q.rejected)}]},
  options: {scales: {x: {stacked: true}, y: {stacked: true}}}});
}

export async function colending(main) {
  const doc = await call("GET", "/v1/supervision/colending");
  const latest = doc.platforms.filter((p) => p.month === doc.to);
  fill(main, el("p", {class: "muted"}, month(doc.to) + " · floor " + pct(doc.floor_bp / 10000, 0)),
    table([t("platform"), t("outstanding"), t("own_share"), t("accounts"), t("below_floor")],
      latest.map((p) => [p.platform, money(p.outstanding), pct(p.own_share_bp / 10000),
        num(p.accounts), p.below_floor ? {v: t("yes"), class: "warn"} : t("no")]), {class: "colending"}));
}

export const tabs = [["tab_market", market], ["tab_quality", quality], ["tab_colending", colending]];
