// h(): the console's only way to build DOM. Children that are strings become text nodes, so
// client text is always shown as text. Attribute values are set with setAttribute (never
// parsed as markup, and no element property but value/checked/selected is ever assigned);
// `href` and `src` must be http(s) or relative; `on` adds listeners; on* attributes and srcdoc
// are refused.

const URL_ATTRS = new Set(["href", "src", "action", "formaction"]);
const FORBIDDEN = new Set(["srcdoc"]);

export function safeUrl(value) {
  const url = new URL(String(value), document.baseURI);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error("refused URL scheme " + url.protocol);
  }
  return url.href;
}

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (FORBIDDEN.has(name) || name.startsWith("on") && name !== "on") {
      throw new Error("h(): attribute " + name + " is not allowed");
    }
    if (name === "on") {
      for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    } else if (name === "dataset") {
      for (const [key, v] of Object.entries(value)) el.dataset[key] = String(v);
    } else if (name === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : String(value);
    } else if (name === "value" || name === "checked" || name === "selected") {
      el[name] = value;
    } else if (URL_ATTRS.has(name)) {
      el.setAttribute(name, safeUrl(value));
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  return append(clear(el), children);
}
