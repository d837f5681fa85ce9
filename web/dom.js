// dom.js - building the page from elements and text nodes only.  Nothing the
// console shows is ever parsed as HTML: a furnished name such as
// "<img src=x onerror=...>" is a text node like any other.

// el("td", {class: "num"}, "12", child, ...): an element with attributes
// (on* attributes take functions and become listeners) and children
// (strings become text nodes; null and false are skipped; arrays are spread).
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else if (c instanceof Node) e.appendChild(c);
    else e.appendChild(document.createTextNode(String(c)));
  }
}

// Replaces what node holds with children.
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

// A table from a header row (strings) and rows (arrays of cells: strings,
// nodes, or {v, class}).
export function table(head, rows, attrs) {
  return el("table", attrs || {},
    el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) =>
      c !== null && typeof c === "object" && !(c instanceof Node) && "v" in c
        ? el("td", {class: c.class}, c.v) : el("td", {}, c))))));
}
