// 表格导入 Spreadsheets: templates, upload straight from the browser to the presigned PUT URL
// (optionally as a preview: validated and reported, not applied), the jobs with live status and
// counts, and each job's report.
import { h, replace } from "./h.js";
import { call, download, enc } from "./api.js";
import { UPLOAD_KINDS, JOB_STATUS } from "./i18n.js";
import { button, busy, field, select, say, problem, table, time } from "./ui.js";

const OPEN = ["in_queue", "in_progress"];

export function mount(root) {
  const state = { alive: true, timer: null };
  const jobs = h("div", { class: "jobs" });
  const templates = h("div", { class: "row templates" }, UPLOAD_KINDS.map(([kind, label]) =>
    button("模板 " + label, e => busy(e.target, () => download(`/v1/templates/${enc(kind)}.xlsx`, kind + ".xlsx"), "模板 Template"),
      { dataset: { template: kind } })));
  const file = h("input", { type: "file", name: "file", accept: ".xlsx,.csv", required: true });
  const progress = h("p", { class: "upload-progress", "aria-live": "polite" });
  const form = h("form", { class: "row upload", on: { submit: event => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return say("请选择文件 Choose a file", "warn");
    return busy(form.querySelector("button[type=submit]"), async () => {
      progress.textContent = "申请上传地址 Asking for an upload URL…";
      const grant = await call("POST", "/v1/uploads", { body: { kind: form.kind.value, filename: chosen.name, preview: form.preview.checked } });
      progress.textContent = `上传中 Uploading ${chosen.name} (${Math.ceil(chosen.size / 1024)} KB)…`;
      let put;
      try {
        put = await fetch(grant.upload_url, { method: "PUT", body: chosen, credentials: "omit" });
      } catch (error) {
        progress.textContent = "";
        throw new Error("上传失败(网络或跨域)Upload failed (network or CORS): " + error.message);
      }
      if (!put.ok) {
        progress.textContent = "";
        throw new Error(`上传失败 Upload failed: HTTP ${put.status}`);
      }
      progress.textContent = "";
      say(`已上传 Uploaded: ${chosen.name} → ${grant.key}`);
      form.reset();
      setTimeout(load, 500);
    }, "上传 Upload");
  } } },
    field("类型 Kind", select("kind", UPLOAD_KINDS, "products")),
    field("文件 File (.xlsx / .csv)", file),
    h("label", { class: "switch" }, h("input", { type: "checkbox", name: "preview" }), "仅预览(不生效)Preview only (not applied)"),
    h("button", { type: "submit", class: "primary" }, "上传 Upload"));

  async function load() {
    clearTimeout(state.timer);
    try {
      const answer = await call("GET", "/v1/uploads", { query: { limit: 50 } });
      if (!state.alive) return;
      render(answer.items);
      if (answer.items.some(j => OPEN.includes(j.status))) state.timer = setTimeout(load, 1000);
    } catch (error) {
      problem(error, "导入任务 Jobs");
    }
  }

  function render(items) {
    replace(jobs, items.length ? table(["文件 File", "类型 Kind", "预览 Preview", "状态 Status", "行 Rows", "成功 OK", "跳过 Skipped", "错误 Errors", "说明 Detail", "时间 Created", "报告 Report"],
      items.map(j => h("tr", { dataset: { jobId: j.job_id, status: j.status } },
        h("td", { class: "filename" }, j.filename || j.key), h("td", {}, j.kind), h("td", {}, j.preview ? "预览 preview" : ""),
        h("td", { class: "status " + (j.status === "fatal" ? "warn" : "") }, JOB_STATUS[j.status] || j.status),
        h("td", { class: "num" }, j.rows), h("td", { class: "num" }, j.ok), h("td", { class: "num" }, j.skipped), h("td", { class: "num" }, j.errors),
        h("td", { class: "detail" }, j.detail || ""), h("td", {}, time(j.created_at)),
        h("td", {}, j.report_key ? button("下载报告 Report", e => busy(e.target, () => report(j.job_id), "报告 Report"), { class: "report" }) : "")))) :
      h("p", { class: "empty" }, "还没有导入 No uploads yet"));
  }

  async function report(jobId) {
    const answer = await call("GET", `/v1/uploads/${enc(jobId)}/report`);
    const link = h("a", { href: answer.download_url, rel: "noopener noreferrer" });
    document.body.append(link);
    link.click();
    link.remove();
  }

  replace(root, h("h1", {}, "表格导入 Spreadsheets"),
    h("section", { class: "panel" }, h("h2", {}, "模板 Templates"), templates),
    h("section", { class: "panel" }, h("h2", {}, "上传 Upload"), form, progress),
    h("section", { class: "panel" }, h("h2", {}, "导入任务 Jobs ", button("刷新 Refresh", () => load())), jobs));
  load();
  return () => { state.alive = false; clearTimeout(state.timer); };
}
