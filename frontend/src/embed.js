// The embed script (docs/embed.md): turns every <pre data-bpflab> on a page into a widget
// with an editor, a Run button and the run's result, run by the bpflab site this script
// comes from. Nothing here reads or sends cookies: embedded runs are anonymous, limited per
// visitor and per site, and proven to come from the page by a signed per-page token.
import { h, format } from "./dom.js";
import { renderBytes } from "./bytes.js";
import { renderMapDump } from "./maps.js";

const script = document.currentScript;
const ORIGIN = new URL(script ? script.src : location.href).origin;
let pageInfo = null;

// In the iframe form the page that embeds is the frame's parent: its address is the referrer.
const PAGE = window.top !== window && document.referrer ? document.referrer : location.href;

function getPageInfo() {
  if (!pageInfo) {
    const url = `${ORIGIN}/embed/token?page=${encodeURIComponent(PAGE)}`;
    pageInfo = fetch(url, { credentials: "omit", headers: { "Accept-Language": navigator.language || "en" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))));
  }
  return pageInfo;
}

function settingsOf(pre) {
  if (pre.dataset.settings) {
    try { return JSON.parse(pre.dataset.settings); } catch { return {}; }
  }
  const settings = {};
  if (pre.dataset.hook) settings.hook = pre.dataset.hook;
  if (pre.dataset.trigger) settings.trigger = pre.dataset.trigger.split(/\s+/).filter(Boolean);
  if (pre.dataset.packet) settings.packets = [{ hex: pre.dataset.packet }];
  return settings;
}

function addStyles() {
  if (document.querySelector("link[data-bpflab-style]")) return;
  const link = h("link", { rel: "stylesheet", href: `${ORIGIN}/static/css/embed.css`, "data-bpflab-style": "" });
  document.head.append(link);
}

class Widget {
  constructor(pre, info) {
    this.s = info.strings;
    this.words = info.strings.playground || {};
    this.info = info;
    this.settings = settingsOf(pre);
    this.snippet = pre.dataset.snippet || (pre.dataset.bpflab && pre.dataset.bpflab !== "true" ? pre.dataset.bpflab : "");
    const code = pre.textContent.replace(/^\n/, "");
    this.code = h("textarea", { class: "bpflab-code", spellcheck: "false", rows: String(Math.min(30, code.split("\n").length + 1)), "aria-label": this.s.code }, code);
    this.button = h("button", { type: "button", class: "bpflab-run", "data-testid": "embed-run" }, `▶ ${this.s.run}`);
    this.button.addEventListener("click", () => this.run());
    const open = h("a", { class: "bpflab-open", href: this.playgroundUrl(), target: "_blank", rel: "noopener" }, this.s.open);
    this.verdict = h("p", { class: "bpflab-verdict", "data-testid": "embed-verdict", role: "status" });
    this.compile = h("div", { class: "bpflab-compile" });
    this.load = h("div", { class: "bpflab-load", "data-testid": "embed-load" });
    this.packets = h("div", { class: "bpflab-packets" });
    this.trace = h("pre", { class: "bpflab-trace", "data-testid": "embed-trace", hidden: true });
    this.maps = h("div", { class: "bpflab-maps" });
    const hook = this.settings.hook || "xdp";
    this.root = h("div", { class: "bpflab-embed", "data-hook": hook },
      h("div", { class: "bpflab-bar" }, h("span", { class: "bpflab-name" }, `prog.c · ${hook}`), h("span", { class: "bpflab-spacer" }), open, this.button),
      this.code,
      h("div", { class: "bpflab-out", "aria-live": "polite" }, this.verdict, this.compile, this.load, this.packets, this.trace, this.maps),
      h("p", { class: "bpflab-powered" }, h("a", { href: ORIGIN, target: "_blank", rel: "noopener" }, this.s.powered)));
    if (!info.can_run) {
      this.button.disabled = true;
      this.say("bpflab-refusal", info.why_not);
    }
    pre.replaceWith(this.root);
  }

  playgroundUrl() {
    const code = this.code ? this.code.value : "";
    return `${this.info.playground}?code=${encodeURIComponent(code)}&settings=${encodeURIComponent(JSON.stringify(this.settings))}`;
  }

  say(kind, ...content) {
    this.verdict.className = `bpflab-verdict ${kind}`;
    this.verdict.replaceChildren(...content);
    if (kind === "bpflab-refusal") this.verdict.dataset.testid = "embed-refusal";
    else this.verdict.dataset.testid = "embed-verdict";
  }

  reset() {
    for (const node of [this.compile, this.load, this.packets, this.maps]) node.replaceChildren();
    this.trace.replaceChildren();
    this.trace.hidden = true;
    this.root.classList.remove("bpflab-done");
  }

  async run() {
    this.reset();
    this.button.disabled = true;
    this.say("bpflab-muted", this.s.running);
    this.root.querySelector(".bpflab-open").href = this.playgroundUrl();
    try {
      const response = await fetch(`${ORIGIN}/embed/runs`, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ source: this.code.value, settings: this.settings, page_token: this.info.token, snippet: this.snippet }),
      });
      const data = await response.json();
      if (!response.ok) {
        this.say("bpflab-refusal", data.error || `HTTP ${response.status}`);
        this.button.disabled = false;
        return;
      }
      this.follow(data.events);
    } catch (error) {
      this.say("bpflab-refusal", String(error));
      this.button.disabled = false;
    }
  }

  follow(url) {
    const source = new EventSource(url);
    this.source = source;
    source.onmessage = null;
    for (const kind of ["stage", "compile", "load", "packet", "trace", "map_dump", "tick", "verdict", "finished", "error"]) {
      source.addEventListener(kind, (message) => this[`on_${kind}`](JSON.parse(message.data)));
    }
    source.onerror = () => {
      if (this.root.classList.contains("bpflab-done")) source.close();
    };
  }

  on_stage(event) {
    const label = (this.s.stages || {})[event.stage];
    if (label && !this.root.classList.contains("bpflab-done")) this.say("bpflab-muted", `${label}…`);
  }

  on_compile(event) {
    const items = (event.diagnostics || []).map((d) => h("li", { class: `sev-${d.severity}` }, `prog.c:${d.line}:${d.column}: ${d.severity}: ${d.message}`));
    this.compile.replaceChildren(h("h4", {}, event.ok ? this.s.compile_ok : this.s.compile_failed));
    if (items.length) this.compile.append(h("ul", {}, items));
  }

  on_load(event) {
    const rejection = event.ok ? null : event.rejection;
    // refused before the verifier ran (a misspelled helper, an unknown section): not its verdict
    const refused = rejection?.by === "loader" ? this.s.load_not_loaded : this.s.load_failed;
    const children = [h("h4", {}, event.ok ? this.s.load_ok : refused)];
    if (rejection) {
      if (rejection.message) children.push(h("p", { class: "bpflab-complaint" }, rejection.message));
      if (rejection.line) children.push(h("p", {}, format(this.s.source_line, { line: rejection.line })));
      const explanation = (this.s.verifier || {})[rejection.class];
      if (explanation) children.push(h("p", { class: "bpflab-explain", "data-testid": "embed-explanation" }, h("strong", {}, `${this.s.why}: `), explanation));
    }
    if (event.verifier_log && !event.ok) children.push(h("details", {}, h("summary", {}, this.s.verifier_log), h("pre", {}, event.verifier_log)));
    this.load.replaceChildren(...children);
  }

  on_packet(event) {
    const title = h("h4", {}, format(this.words.packet, { n: event.index + 1 }), ": ", event.ok ? h("code", { "data-testid": "embed-action" }, event.action) : event.error || "");
    this.packets.append(h("figure", {}, title, ...(event.ok ? renderBytes(event.data_in, event.data_out, this.words) : [])));
  }

  on_trace(event) {
    this.trace.hidden = false;
    this.trace.append(h("div", {}, event.message ?? event.line ?? ""));
  }

  on_map_dump(event) {
    if (!event.ok) return;
    const existing = this.maps.querySelector(`figure[data-map="${CSS.escape(event.map)}"]`);
    const table = renderMapDump(event, this.s);
    if (existing) existing.replaceWith(table);
    else this.maps.append(table);
  }

  on_tick(event) {
    for (const line of event.trace || []) this.on_trace(line);
    for (const map of event.maps || []) this.on_map_dump({ ok: true, ...map });
  }

  on_verdict(event) {
    const ran = event.stage === "done";
    this.say(ran ? "bpflab-ok" : "bpflab-bad", h("strong", {}, ran ? this.words.ran : this.words.rejected), " ", event.summary || "");
  }

  on_error(event) {
    this.load.append(h("p", { class: "bpflab-bad" }, `${this.s.sandbox_error}: ${event.message}`));
  }

  on_finished(event) {
    this.root.classList.add("bpflab-done");
    if (event.status === "error") this.say("bpflab-bad", h("strong", {}, this.s.run_error), " ", event.error || "");
    this.source?.close();
    this.button.disabled = false;
  }
}

async function enhance() {
  const blocks = [...document.querySelectorAll("pre[data-bpflab]")];
  if (!blocks.length) return;
  addStyles();
  let info;
  try {
    info = await getPageInfo();
  } catch (error) {
    for (const pre of blocks) pre.title = `bpflab: ${error}`;
    return;
  }
  for (const pre of blocks) new Widget(pre, info);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
else enhance();
