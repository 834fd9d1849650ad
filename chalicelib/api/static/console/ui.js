// Shared pieces of the screens: the message bar, problems and batch results, dialogs, fields,
// tables, times. Everything is built with h(), so client text stays text.
import { h, replace, clear } from "./h.js";
import { codeText } from "./i18n.js";

let bar;

export function messageBar() {
  bar = h("div", { id: "messages", class: "messages", role: "status", "aria-live": "polite" });
  return bar;
}

export function clearMessages() {
  if (bar) clear(bar);
}

export function say(text, kind = "ok") {
  if (!bar) return;
  const close = h("button", { type: "button", class: "close", "aria-label": "关闭 Close",
    on: { click: () => note.remove() } }, "×");
  const note = h("div", { class: ["note", kind], role: kind === "error" ? "alert" : null }, close, text);
  bar.prepend(note);
  while (bar.children.length > 4) bar.lastChild.remove();
  return note;
}

// An ApiError (or any error) said plainly: status, title, code, detail, field errors, Retry-After.
export function problem(error, context = "") {
  if (!bar) return;
  say(problemView(error, context), "error");
}

export function problemView(error, context = "") {
  const parts = [];
  if (error && error.status) {
    let head = (context ? context + ": " : "") + (error.title || "HTTP " + error.status);
    if (error.code) head += " (" + error.code + ")";
    parts.push(h("strong", {}, head));
    const extra = codeText(error.code);
    if (extra && extra !== error.code) parts.push(h("div", {}, extra));
    if (error.detail) parts.push(h("div", { class: "detail" }, error.detail));
    if (error.status === 429 && error.retryAfter) {
      parts.push(h("div", { class: "retry" }, `请 ${error.retryAfter} 秒后重试 · Retry after ${error.retryAfter} s`));
    }
    if (error.status === 403) parts.push(h("div", {}, "当前账号无权执行此操作 · Your role may not do this"));
    if (error.errors && error.errors.length) {
      parts.push(h("ul", {}, error.errors.map(e => h("li", {}, (e.field ? e.field + ": " : "") + (e.message || "")))));
    }
    const missing = error.problem && error.problem.missing;
    if (missing) parts.push(h("div", {}, "缺少 missing: " + JSON.stringify(missing)));
  } else {
    parts.push(h("strong", {}, (context ? context + ": " : "") + "网络错误 Network error"));
    parts.push(h("div", {}, String(error && error.message || error)));
  }
  return h("div", { class: "problem" }, parts);
}

// A batch answer {"results": [...]} as a table: key, status, code (with words), detail, extras.
export function resultsView(answer, title, extraFields = []) {
  const results = (answer && answer.results) || [];
  const counts = { ok: 0, skipped: 0, error: 0 };
  for (const r of results) counts[r.status] = (counts[r.status] || 0) + 1;
  return h("section", { class: "results", "aria-label": title },
    h("h3", {}, `${title}: 成功 ok ${counts.ok} · 跳过 skipped ${counts.skipped} · 失败 error ${counts.error}`),
    results.length ? table(["单号/编码 Key", "结果 Status", "原因 Reason", "说明 Detail", ...extraFields.map(f => f)],
      results.map(r => h("tr", { class: "result-" + r.status, dataset: { key: r.key } },
        h("td", {}, r.key), h("td", {}, r.status), h("td", {}, r.code ? codeText(r.code) + (codeText(r.code) === r.code ? "" : " (" + r.code + ")") : ""),
        h("td", {}, r.detail || ""), extraFields.map(f => h("td", {}, formatValue(r[f])))))) : h("p", {}, "无 None"));
}

export function showResults(target, answer, title, extraFields) {
  replace(target, resultsView(answer, title, extraFields));
}

export function formatValue(value) {
  if (value === undefined || value === null) return "";
  if (value === true) return "是 yes";
  if (value === false) return "否 no";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function table(headings, rows, attrs = {}) {
  return h("table", attrs, h("thead", {}, h("tr", {}, headings.map(t => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows));
}

export function field(label, input, hint) {
  return h("label", { class: "field" }, h("span", { class: "label" }, label), input, hint ? h("small", {}, hint) : null);
}

export function input(name, attrs = {}) {
  return h("input", Object.assign({ name, id: attrs.id }, attrs));
}

export function select(name, options, value, attrs = {}) {
  return h("select", Object.assign({ name }, attrs),
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

export function button(label, onClick, attrs = {}) {
  return h("button", Object.assign({ type: "button" }, attrs, { on: { click: onClick } }), label);
}

// Runs `work` with the button disabled; problems go to the message bar.
export async function busy(buttonEl, work, context) {
  if (buttonEl) buttonEl.disabled = true;
  try {
    return await work();
  } catch (error) {
    problem(error, context);
    return undefined;
  } finally {
    if (buttonEl) buttonEl.disabled = false;
  }
}

export function formValues(form) {
  const out = {};
  for (const [name, value] of new FormData(form).entries()) out[name] = typeof value === "string" ? value.trim() : value;
  return out;
}

// A modal <dialog>: Esc closes it, focus goes to its first field.
export function dialog(title, body, { onClose } = {}) {
  const close = () => { el.close(); };
  const el = h("dialog", { class: "dialog", "aria-label": title },
    h("header", {}, h("h2", {}, title), h("button", { type: "button", class: "close", "aria-label": "关闭 Close", on: { click: close } }, "×")),
    body);
  el.addEventListener("close", () => { el.remove(); if (onClose) onClose(); });
  document.body.append(el);
  el.showModal();
  const first = el.querySelector("input, select, textarea, button:not(.close)");
  if (first) first.focus();
  return el;
}

export function time(value) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
}

// datetime-local value (Beijing time) -> RFC 3339 with +08:00
export function beijing(localValue) {
  if (!localValue) return "";
  return (localValue.length === 16 ? localValue + ":00" : localValue) + "+08:00";
}

let audio;
export function beep(kind = "error") {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "square";
    osc.frequency.value = kind === "error" ? 220 : 880;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + (kind === "error" ? 0.45 : 0.12));
    window.__consoleBeeps = (window.__consoleBeeps || 0) + 1;
  } catch {
    // no audio device: the red list still says it
  }
}

export function address(delivery) {
  const d = delivery || {};
  return [d.province, d.city, d.district, d.detail].filter(Boolean).join(" ");
}
