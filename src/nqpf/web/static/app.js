// The page of nqpf serve: builds a job from the form, posts it to /api/jobs, follows its progress,
// shows the error line or the report and the zip. Plain JavaScript, no build step.
(function () {
  "use strict";
  const T = window.NQPF_TEXTS;
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel) => Array.from(document.querySelectorAll(sel));
  const state = { lang: "zh", meta: null, job: null, timer: null, reportLangTouched: false, started: 0 };

  function pageLang() {
    const saved = localStorage.getItem("nqpf.lang");
    if (saved && T[saved]) return saved;
    return (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  function t(key, args) {
    let s = (T[state.lang] && T[state.lang][key]) || T.en[key] || key;
    for (const [k, v] of Object.entries(args || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  }

  // a step's name in the page's language: the server sends every step in every language (nqpf's
  // catalogue, step.<name>); the label itself when it has none
  function stepText(i) {
    const texts = state.job && state.job.progress.texts;
    const own = texts && (texts[state.lang] || texts.en);
    return (own && own[i]) || state.job.progress.steps[i];
  }

  function applyLang(lang) {
    state.lang = lang;
    localStorage.setItem("nqpf.lang", lang);
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = "nqpf · " + t("title");
    for (const el of $$("[data-i18n]")) {
      const key = el.getAttribute("data-i18n");
      el.textContent = key === "upload.limit"
        ? t(key, { mb: state.meta ? state.meta.max_upload_mb : 50, hours: state.meta ? state.meta.keep_hours : 24 })
        : t(key);
    }
    for (const b of $$(".langs button")) b.setAttribute("aria-pressed", String(b.dataset.lang === lang));
    fillWeighting();
    fillSpecs();
    if (!state.reportLangTouched && $("#report-lang").querySelector(`option[value="${lang}"]`)) $("#report-lang").value = lang;
    renderSteps();
  }

  function fillWeighting() {
    const sel = $("#weighting");
    const cur = sel.value || "entropy";
    const methods = (state.meta ? state.meta.weighting : ["entropy", "critic", "cv", "equal", "given"]).concat(["entropy+critic"]);
    sel.innerHTML = "";
    for (const m of methods) {
      const o = document.createElement("option");
      o.value = m;
      o.textContent = t("weighting." + m) === "weighting." + m ? m : t("weighting." + m);
      sel.appendChild(o);
    }
    sel.value = methods.includes(cur) ? cur : "entropy";
  }

  function fillSpecs() {
    const sel = $("#spec");
    const cur = sel.value || "ran2025";
    sel.innerHTML = "";
    for (const s of (state.meta ? state.meta.specs : [{ name: "ran2025" }])) {
      const o = document.createElement("option");
      o.value = s.name;
      const title = state.lang === "zh" ? s.title : (s.title_en || s.title);
      o.textContent = s.name + (title ? " — " + title : "") + (s.indicators ? ` (${s.indicators})` : "");
      sel.appendChild(o);
    }
    sel.value = cur;
    updateTemplateLink();
  }

  function updateTemplateLink() {
    const q = new URLSearchParams({ spec: $("#spec").value || "ran2025", first: $("#tpl-first").value, last: $("#tpl-last").value });
    $("#template-link").href = "/api/template?" + q.toString();
  }

  function mode() { return $("input[name=mode]:checked").value; }

  function updateVisibility() {
    const m = mode(), w = $("#weights").value, wt = $("#weighting").value;
    for (const el of $$(".study-only")) el.hidden = m !== "study";
    for (const el of $$(".analyze-only")) el.hidden = m !== "analyze";
    for (const el of $$(".given-only")) el.hidden = m !== "study" || wt !== "given";
    for (const el of $$(".knn-only")) el.hidden = w !== "knn";
    for (const el of $$(".wfile-only")) el.hidden = w !== "file";
    // step numbers: the template step exists only for raw data
    let n = m === "study" ? 3 : 2;
    for (const el of $$(".num[data-num]")) el.textContent = String(n++);
  }

  function list(text) {
    return text.split(/[,,、\s]+/).map((x) => x.trim()).filter(Boolean);
  }

  function buildRequest() {
    const m = mode();
    const fd = new FormData();
    const data = $("#data").files[0];
    if (!data) throw new Error(t("run.need_data"));
    fd.append("data", data, data.name);
    const p = { mode: m, lang: $("#report-lang").value };
    const w = $("#weights").value;
    if (w === "file") {
      const f = $("#weights-file").files[0];
      if (!f) throw new Error(t("run.need_wfile"));
      fd.append("weights", f, f.name);
    } else {
      p.weights = w === "knn" ? "knn:" + ($("#knn-k").value || "6") : w;
    }
    if ($("#permutations").value !== "") p.permutations = Number($("#permutations").value);
    if ($("#seed").value !== "") p.seed = Number($("#seed").value);
    const fy = list($("#figure-years").value);
    if (fy.length) p[m === "study" ? "figure-years" : "years"] = fy.join(",");
    const skip = list($("#skip").value);
    if (skip.length) p.skip = skip.join(",");
    const fmts = $$("input[name=fmt]:checked").map((x) => x.value);
    p.formats = fmts.join(",");
    const cfg = $("#config-file").files[0];
    if (cfg) fd.append("config", cfg, cfg.name);
    const al = $("#aliases-file").files[0];
    if (al) fd.append("aliases", al, al.name);
    const cov = $("#covariates-file").files[0];
    if (cov) fd.append("covariates", cov, cov.name);
    const aliases = $("#alias").value.split(/[\n\r,;,;]+/).map((x) => x.trim()).filter(Boolean);
    if (aliases.length) p.alias = aliases;
    const ex = list($("#exclude").value);
    if (ex.length) p.exclude = ex.join(",");
    if (m === "study") {
      const spec = $("#spec-file").files[0];
      if (spec) fd.append("spec", spec, spec.name); else p.spec = $("#spec").value;
      const wt = $("#weighting").value;
      p.weighting = wt;
      if (wt === "given") {
        const g = $("#given-file").files[0];
        if (g) fd.append("given-weights", g, g.name);
      }
      const period = list($("#period").value);
      if (period.length) p.years = period.join(",");
    }
    fd.append("params", JSON.stringify(p));
    let size = 0;
    for (const [, v] of fd.entries()) if (v instanceof File) size += v.size;
    const mb = state.meta ? state.meta.max_upload_mb : 50;
    if (size > mb * 1024 * 1024) throw new Error(t("run.too_large", { got: (size / 1048576).toFixed(1), mb }));
    return fd;
  }

  function showError(msg) {
    const e = $("#error");
    e.hidden = !msg;
    e.textContent = msg ? t("run.error") + " " + msg : "";
  }

  function setStatus(text) { $("#status").textContent = text || ""; }

  function renderSteps() {
    const ol = $("#steps");
    ol.innerHTML = "";
    const job = state.job;
    if (!job) return;
    const steps = job.progress.steps;
    steps.forEach((s, i) => {
      const li = document.createElement("li");
      li.textContent = stepText(i);
      li.className = i === steps.length - 1 && job.status === "running" ? "current" : "done";
      ol.appendChild(li);
    });
    const wl = $("#warnings");
    wl.innerHTML = "";
    for (const w of job.warnings || []) {
      const li = document.createElement("li");
      li.textContent = w;
      wl.appendChild(li);
    }
    wl.hidden = !(job.warnings || []).length;
    if (job.status === "running") setStatus(t("run.running", { step: steps.length ? stepText(steps.length - 1) : "…" }));
    else if (job.status === "queued") setStatus(t("run.queued"));
    else if (job.status === "done") setStatus(t("run.done", { s: Math.round((job.finished - job.created) * 10) / 10 }));
    else if (job.status === "cancelled" || job.status === "deleted") setStatus(t("run.cancelled"));
    else setStatus("");
  }

  function busy(on) {
    $("#run").disabled = on;
    $("#cancel").hidden = !on;
    $("#progress").hidden = !on && !(state.job && state.job.status === "done");
  }

  async function api(url, opts) {
    const r = await fetch(url, Object.assign({ credentials: "same-origin" }, opts || {}));
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) throw new Error((body && body.error) || r.status + " " + r.statusText);
    return body;
  }

  async function poll() {
    if (!state.job) return;
    let job;
    try {
      job = await api("/api/jobs/" + state.job.id);
    } catch (e) {
      busy(false);
      showError(t("run.lost", { msg: e.message }));
      return;
    }
    state.job = job;
    $("#progress").value = job.progress.fraction;
    renderSteps();
    if (job.status === "queued" || job.status === "running") {
      state.timer = setTimeout(poll, 400);
      return;
    }
    busy(false);
    if (job.status === "error") showError(job.error);
    if (job.status === "done") showResult(job);
  }

  function showResult(job) {
    $("#step-result").hidden = false;
    $("#zip-link").href = job.zip;
    $("#rerun").textContent = job.command || "";
    const frame = $("#report-frame");
    if (job.report) {
      frame.hidden = false;
      $("#no-report").hidden = true;
      $("#report-link").hidden = false;
      $("#report-link").href = job.report;
      frame.src = job.report;
    } else {
      frame.hidden = true;
      $("#report-link").hidden = true;
      $("#no-report").hidden = false;
    }
    $("#step-result").scrollIntoView({ behavior: "smooth", block: "start" });
  }

  async function run(ev) {
    ev.preventDefault();
    clearTimeout(state.timer);
    showError("");
    $("#step-result").hidden = true;
    $("#report-frame").removeAttribute("src");
    let fd;
    try { fd = buildRequest(); } catch (e) { showError(e.message); return; }
    state.job = null;
    renderSteps();
    busy(true);
    $("#progress").value = 0;
    setStatus(t("run.uploading"));
    try {
      const created = await api("/api/jobs", { method: "POST", body: fd });
      state.job = { id: created.id, status: created.status, progress: { steps: [], fraction: 0 }, warnings: [] };
      poll();
    } catch (e) {
      busy(false);
      setStatus("");
      showError(e.message);
    }
  }

  async function cancel() {
    if (!state.job) return;
    clearTimeout(state.timer);
    try {
      state.job = Object.assign(state.job, await api("/api/jobs/" + state.job.id, { method: "DELETE" }));
    } catch (e) { /* already gone */ }
    busy(false);
    state.job.status = "cancelled";
    renderSteps();
  }

  async function init() {
    for (const b of $$(".langs button")) b.addEventListener("click", () => applyLang(b.dataset.lang));
    for (const r of $$("input[name=mode]")) r.addEventListener("change", updateVisibility);
    $("#weights").addEventListener("change", updateVisibility);
    $("#weighting").addEventListener("change", updateVisibility);
    for (const id of ["#spec", "#tpl-first", "#tpl-last"]) $(id).addEventListener("input", updateTemplateLink);
    $("#spec").addEventListener("change", updateTemplateLink);
    $("#report-lang").addEventListener("change", () => { state.reportLangTouched = true; });
    $("#job-form").addEventListener("submit", run);
    $("#cancel").addEventListener("click", cancel);
    try {
      state.meta = await api("/api/meta");
      $("#version").textContent = "nqpf " + state.meta.version;
    } catch (e) {
      showError(e.message);
    }
    const rl = $("#report-lang");
    rl.innerHTML = "";
    const names = { zh: "中文(简体)", en: "English", zh_Hant: "中文(繁體)" };
    for (const l of (state.meta ? state.meta.langs : ["zh", "en"])) {
      const o = document.createElement("option");
      o.value = l;
      o.textContent = names[l] || l;
      rl.appendChild(o);
    }
    applyLang(pageLang());
    updateVisibility();
    document.body.classList.add("ready");
  }

  document.addEventListener("DOMContentLoaded", init);
})();
