// api.js - the console's only way to the bureau: the public /v1 API with the
// user's key.  The key lives in sessionStorage (gone when the tab closes, or
// on "sign out"), never in a cookie, so the console can do no more than the
// key may and no other site can make the browser use it.

const STORE = "creditref.key";

export function key() { return sessionStorage.getItem(STORE); }
export function setKey(k) { sessionStorage.setItem(STORE, k); }
export function clearKey() { sessionStorage.removeItem(STORE); }

// An answer that was not 2xx: status, and the problem+json detail.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : "HTTP " + status);
    this.status = status;
    this.problem = problem || {};
  }
}

// call("POST", "/v1/reports", {id, purpose}) -> the JSON answer.  A string
// body is sent as it is (JSON Lines uploads), an object as JSON.
export async function call(method, path, body, opts) {
  const headers = {"Authorization": "Bearer " + key()};
  let data;
  if (typeof body === "string") {
    data = body;
    headers["Content-Type"] = (opts && opts.ctype) || "application/x-ndjson";
  } else if (body !== undefined) {
    data = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  const r = await fetch(path, {method, headers, body: data, cache: "no-store"});
  const text = await r.text();
  const ctype = r.headers.get("Content-Type") || "";
  let doc = null;
  if (ctype.includes("json") && text) {
    try { doc = JSON.parse(text); } catch (e) { doc = null; }
  }
  if (!r.ok) throw new ApiError(r.status, doc);
  return doc === null ? text : doc;
}
