// The console's one door to the API: the session (in this tab's sessionStorage), JSON in and
// out, problem+json turned into ApiError, 401 ends the session. Every call is written
// call("METHOD", "/v1/...") so that a test can check each one against the route table.

const KEY = "onceship.console.session";

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || "HTTP " + status);
    this.status = status;
    this.code = problem.code || "http_" + status;
    this.title = problem.title || "";
    this.detail = problem.detail || "";
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

export function saveSession(value) {
  sessionStorage.setItem(KEY, JSON.stringify(value));
}

export function forgetSession() {
  sessionStorage.removeItem(KEY);
}

// The API's root is the directory this page is served from ("/v1/console" -> "/v1/"), so the
// console works under an API Gateway stage prefix or behind a CDN on the API's domain.
export function apiUrl(path, query) {
  const root = new URL("./", window.location.href);
  const url = new URL(path.replace(/^\/v1\//, ""), root);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  return url;
}

export function enc(value) {
  return encodeURIComponent(String(value));
}

function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
}

async function send(method, url, init) {
  try {
    return await fetch(url, init);
  } catch (first) {
    if (method !== "POST" && method !== "PUT" && method !== "GET") throw first;
    // The answer was lost (network): the same request again, with the same Idempotency-Key.
    await new Promise(resolve => setTimeout(resolve, 800));
    return fetch(url, init);
  }
}

export async function call(method, path, options = {}) {
  const response = await raw(method, path, options);
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.blob();
}

export async function raw(method, path, options = {}) {
  const headers = { Accept: options.accept || "application/json, application/problem+json" };
  const current = session();
  if (current && !options.anonymous) headers.Authorization = "Bearer " + current.token;
  let body;
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  if (method === "POST") headers["Idempotency-Key"] = newKey();
  const response = await send(method, apiUrl(path, options.query), { method, headers, body, credentials: "omit" });
  if (response.ok) return response;
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    problem = { title: response.statusText || "HTTP " + response.status };
  }
  const error = new ApiError(response.status, problem, response.headers.get("Retry-After"));
  if (response.status === 401 && current && !options.anonymous) {
    forgetSession();
    window.dispatchEvent(new CustomEvent("console:session-ended", { detail: error }));
  }
  throw error;
}

// A file the API answers (templates): fetched with the session, saved by the browser.
export async function download(path, filename) {
  // API Gateway (and Chalice) answer binary bodies as bytes only to a client that accepts them
  const response = await raw("GET", path, { accept: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/problem+json" });
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
