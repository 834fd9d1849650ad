// The console's shell: login, the menu by role, hash routes to screens, logout.
import { h, replace, clear } from "./h.js";
import { call, session, saveSession, forgetSession } from "./api.js";
import { ROLES } from "./i18n.js";
import { messageBar, problem, clearMessages } from "./ui.js";
import * as review from "./desk-review.js";
import * as printing from "./desk-print.js";
import * as scan from "./desk-scan.js";
import * as ship from "./desk-ship.js";
import * as exchange from "./desk-exchange.js";
import * as settings from "./desk-settings.js";
import * as products from "./office-products.js";
import * as product from "./office-product.js";
import * as sync from "./office-sync.js";
import * as sheets from "./office-sheets.js";
import * as orders from "./office-orders.js";
import * as webhooks from "./office-webhooks.js";

const DESK = ["operator", "supervisor", "manager"];
const LEADS = ["supervisor", "manager"];
const OFFICE = ["manager"];

const SCREENS = [
  { path: "review", label: "审核 Review", roles: DESK, screen: review, group: "发货台 Desk" },
  { path: "print", label: "打印面单 Print", roles: DESK, screen: printing, group: "发货台 Desk" },
  { path: "scan", label: "验货出库 Scan out", roles: DESK, screen: scan, group: "发货台 Desk" },
  { path: "ship", label: "直接发货 Ship", roles: DESK, screen: ship, group: "发货台 Desk" },
  { path: "exchange", label: "换货单 Exchange", roles: LEADS, screen: exchange, group: "发货台 Desk" },
  { path: "settings", label: "设置 Settings", roles: LEADS, screen: settings, group: "发货台 Desk" },
  { path: "products", label: "商品 Products", roles: OFFICE, screen: products, group: "后台 Back office" },
  { path: "product", label: null, roles: OFFICE, screen: product },
  { path: "sync", label: "同步与ERP Sync & ERP", roles: OFFICE, screen: sync, group: "后台 Back office" },
  { path: "sheets", label: "表格导入 Spreadsheets", roles: OFFICE, screen: sheets, group: "后台 Back office" },
  { path: "orders", label: "订单 Orders", roles: OFFICE, screen: orders, group: "后台 Back office" },
  { path: "webhooks", label: "Webhooks", roles: OFFICE, screen: webhooks, group: "后台 Back office" },
];

let cleanup = null;

function allowed(role) {
  return SCREENS.filter(s => s.roles.includes(role));
}

function route() {
  const [path, ...rest] = window.location.hash.replace(/^#\/?/, "").split("/");
  return { path, args: rest.map(decodeURIComponent) };
}

export function go(path, ...args) {
  window.location.hash = "#/" + [path, ...args.map(encodeURIComponent)].join("/");
}

function showLogin(message) {
  if (cleanup) { cleanup(); cleanup = null; }
  clear(document.getElementById("screen"));
  clear(document.getElementById("nav"));
  clear(document.getElementById("who"));
  const form = document.getElementById("login");
  form.hidden = false;
  document.getElementById("login-message").textContent = message || "";
  (form.merchant_id.value ? form.password : form.merchant_id).focus();
}

async function login(event) {
  event.preventDefault();
  const form = event.target;
  const submit = form.querySelector("button[type=submit]");
  const message = document.getElementById("login-message");
  message.textContent = "";
  submit.disabled = true;
  const merchant_id = form.merchant_id.value.trim();
  const username = form.username.value.trim();
  try {
    const answer = await call("POST", "/v1/console/sessions", {
      anonymous: true, body: { merchant_id, username, password: form.password.value } });
    saveSession({ token: answer.token, role: answer.role, expires_at: answer.expires_at, merchant_id, username });
    form.password.value = "";
    form.hidden = true;
    start();
  } catch (error) {
    let text = error.status === 401 ? "商户号、用户名或密码错误 · Wrong merchant, username or password"
      : (error.title || "登录失败 Login failed") + (error.detail ? ": " + error.detail : "");
    if (error.status === 429) text = `尝试次数过多,请 ${error.retryAfter || "稍"} 秒后再试 · Too many attempts, retry after ${error.retryAfter || "a while"} s`;
    if (!error.status) text = "网络错误 Network error: " + error.message;
    message.textContent = text;
  } finally {
    submit.disabled = false;
  }
}

async function logout() {
  try {
    await call("DELETE", "/v1/console/sessions/current");
  } catch (error) {
    if (error.status !== 401) problem(error, "退出 Log out");
  }
  forgetSession();
  showLogin("已退出 Logged out");
}

function renderNav(current) {
  const nav = document.getElementById("nav");
  const groups = new Map();
  for (const s of allowed(current.role).filter(s => s.label)) {
    if (!groups.has(s.group)) groups.set(s.group, []);
    groups.get(s.group).push(s);
  }
  replace(nav, [...groups].map(([group, items]) => h("div", { class: "nav-group" },
    h("span", { class: "nav-title" }, group),
    items.map(s => h("a", { href: "#/" + s.path, dataset: { nav: s.path } }, s.label)))));
  replace(document.getElementById("who"),
    h("span", {}, current.username + " · " + (ROLES[current.role] || current.role) + " · " + current.merchant_id),
    h("button", { type: "button", id: "logout", on: { click: logout } }, "退出 Log out"));
}

function show() {
  const current = session();
  if (!current) return showLogin();
  const screens = allowed(current.role);
  let { path, args } = route();
  let found = screens.find(s => s.path === path);
  if (!found) {
    found = screens[0];
    go(found.path);
    return;
  }
  if (cleanup) { cleanup(); cleanup = null; }
  clearMessages();
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("active", link.dataset.nav === found.path || (found.path === "product" && link.dataset.nav === "products"));
    if (link.classList.contains("active")) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  const root = clear(document.getElementById("screen"));
  root.dataset.screen = found.path;
  cleanup = found.screen.mount(root, { session: current, args, go }) || null;
}

function start() {
  const current = session();
  if (!current) return showLogin();
  document.getElementById("login").hidden = true;
  renderNav(current);
  show();
}

function boot() {
  document.getElementById("messages-slot").append(messageBar());
  document.getElementById("login").addEventListener("submit", login);
  window.addEventListener("hashchange", () => { if (session()) show(); });
  window.addEventListener("console:session-ended", () => {
    showLogin("登录已失效,请重新登录 · Your session ended: please log in again");
  });
  window.addEventListener("unhandledrejection", event => { problem(event.reason); });
  start();
  document.documentElement.dataset.ready = "1";
}

boot();
