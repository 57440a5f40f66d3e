// The live run panel: one websocket to /ws/runs/<token>/, events rendered in order. The
// server replays stored events on every (re)connect; events already seen (by seq) are dropped.
import { h, format, pickLanguage } from "./dom.js";
import { renderMapDump } from "./maps.js";
import { renderBytes } from "./bytes.js";

const TRACK = ["queued", "compiling", "loading", "checking", "done"];
const STAGE_TO_TRACK = { queued: "queued", compiling: "compiling", booting: "loading", loading: "loading", running: "checking", checking: "checking" };
const CLOSE_FORBIDDEN = 4403;
// A run that goes quiet this long gets a fresh connection: connecting is what makes the
// server notice a run whose worker died and mark it failed, so the page never spins forever.
const QUIET_RECONNECT_MS = 30_000;

// A check not run repeats the same reason as every other after a failed compile or load;
// the reason is shown once above, so each check says "not run" and keeps the rest as a tooltip.
function actualText(event, strings) {
  const text = String(event.actual ?? "");
  if (event.status === "not_run") return h("code", { title: text }, strings.not_run);
  return h("code", {}, text);
}

// "Permission denied (EACCES) while opening the object", as the sandbox says it, in the
// page's language: the system's words are looked up by the errno's name.
const ERRNO = /^(.*?) \((E[A-Z0-9]+)\)( while opening the object)?$/;
export function errorText(text, strings) {
  const match = ERRNO.exec(String(text ?? ""));
  const said = match && (strings.errno || {})[match[2]];
  if (!said) return String(text ?? "");
  const error = `${said} (${match[2]})`;
  return match[3] ? format(strings.while_opening, { error }) : error;
}

function recordFields(fields) {
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) return JSON.stringify(fields);
  return Object.entries(fields).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(" ");
}

function stamp(value) {
  return typeof value === "number" ? value.toFixed(6) : value ?? "";
}

export function mountRunPanel(root, { config, strings, editor }) {
  if (!config.wsPath) return null;
  const panel = new RunPanel(root, strings, editor, config);
  panel.connect();
  return panel;
}

class RunPanel {
  constructor(root, strings, editor, config) {
    this.root = root;
    this.strings = strings;
    this.editor = editor;
    this.config = config;
    this.lastSeq = 0;
    this.finished = false;
    this.retries = 0;
    this.trace = root.querySelector("#run-trace");
    this.traceCount = 0;
    this.el = (id) => root.querySelector(`#${id}`);
  }

  connect() {
    this.lastMessageAt = Date.now();
    if (!this.watchdog) {
      this.watchdog = setInterval(() => {
        if (this.finished) return clearInterval(this.watchdog);
        if (Date.now() - this.lastMessageAt > QUIET_RECONNECT_MS) {
          this.lastMessageAt = Date.now();
          this.socket?.close();
        }
      }, 5_000);
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${this.config.wsPath}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.retries = 0;
      this.connection(this.strings.connected, "live");
    });
    socket.addEventListener("message", (message) => this.receive(JSON.parse(message.data)));
    socket.addEventListener("close", (event) => this.closed(event));
  }

  closed(event) {
    if (this.finished) return this.connection("", "closed");
    if (event.code === CLOSE_FORBIDDEN) return this.connection(this.strings.run_error, "failed");
    this.connection(this.strings.connection_lost, "lost");
    this.retries += 1;
    setTimeout(() => this.connect(), Math.min(500 * 2 ** this.retries, 8000));
  }

  connection(text, state) {
    const node = this.el("run-connection");
    node.textContent = text;
    node.dataset.state = state;
  }

  receive(event) {
    this.lastMessageAt = Date.now();
    if (typeof event.seq === "number") {
      if (event.seq <= this.lastSeq) return;
      this.lastSeq = event.seq;
    }
    // A run whose worker died is graded again: the panel shows the latest attempt only.
    const attempt = event.attempt || 0;
    if (attempt < (this.attempt || 0)) return;
    if (this.attempt && attempt > this.attempt) this.clear();
    this.attempt = attempt;
    const handler = this[`on_${event.event}`];
    if (handler) handler.call(this, event);
  }

  // Marks the stage track: stages reached so far are done, the current one is active;
  // at the end, stages a run never reached (after a compile error, say) show as skipped.
  stage(name) {
    if (!TRACK.includes(name)) return;
    this.reached = this.reached || new Set();
    this.reached.add(name);
    const current = TRACK.indexOf(name);
    for (const item of this.root.querySelectorAll("#run-stages li")) {
      const at = TRACK.indexOf(item.dataset.stage);
      const reached = this.reached.has(item.dataset.stage);
      item.classList.toggle("done", reached && (at < current || name === "done"));
      item.classList.toggle("active", at === current && name !== "done");
      item.classList.toggle("skipped", name === "done" && !reached);
    }
    this.root.dataset.stage = name;
  }

  on_stage(event) {
    if (event.retry) this.say("muted", format(this.strings.waiting.retry, event));
    else if (event.stage === "queued" || event.stage === "compiling") this.say("muted", this.strings.stages[event.stage] + "…");
    this.stage(STAGE_TO_TRACK[event.stage]);
  }

  // Why a queued run has not started yet (sent on every connect while it waits).
  on_waiting(event) {
    if (this.root.dataset.stage && this.root.dataset.stage !== "queued") return;
    this.say("muted", format(this.strings.waiting[event.reason] || "", event));
  }

  clear() {
    for (const id of ["run-compile", "run-load", "run-maps", "run-trace"]) this.el(id).replaceChildren();
    for (const item of this.el("run-checks").children) {
      item.className = "check pending";
      item.querySelector(".check-mark")?.replaceChildren();
      item.querySelector(".check-detail")?.remove();
    }
    this.el("run-disasm").hidden = true;
    this.traceCount = 0;
    this.verdict = null;
    this.reached = new Set();
  }

  say(kind, ...content) {
    const node = this.el("run-verdict");
    const parts = content.filter((c) => c !== null && c !== undefined);
    node.replaceChildren(...parts.map((c) => (kind === "muted" ? h("span", { class: "muted" }, c) : c)));
  }

  on_compile(event) {
    const s = this.strings;
    const diagnostics = event.diagnostics || [];
    const hasWarnings = diagnostics.some((d) => d.severity === "warning");
    const title = !event.ok ? s.compile_failed : hasWarnings ? s.compile_warnings : s.compile_ok;
    const items = diagnostics.map((d) =>
      h("li", { class: `diag sev-${d.severity}` },
        h("button", { type: "button", class: "diag-where", onclick: () => this.editor.goTo(d.line) }, `${d.file || "prog.c"}:${d.line}:${d.column}`),
        h("span", { class: "diag-severity" }, (s.severity || {})[d.severity] || d.severity), " ",
        h("span", { class: "diag-message", lang: "en" }, d.message),
        d.source_line ? h("pre", { class: "diag-source", tabindex: "0" }, d.source_line) : null));
    const block = h("section", { class: `compile ${event.ok ? "state-ok" : "state-bad"}`, "data-testid": "compile" },
      h("h3", {}, h("span", { class: "dot" }), title, event.duration_s ? h("span", { class: "muted small" }, ` ${(event.duration_s * 1000).toFixed(0)} ms`) : null),
      items.length ? h("ul", { class: "diagnostics" }, items) : null,
      event.error ? h("p", { class: "bad" }, event.error) : null,
      !event.ok && event.output ? h("details", {}, h("summary", {}, s.raw_output), h("pre", { tabindex: "0" }, event.output)) : null);
    this.el("run-compile").replaceChildren(block);
    this.editor.mark(diagnostics.filter((d) => !d.file || d.file === "prog.c").map((d) => ({ line: d.line, column: d.column, severity: d.severity, message: d.message, source: "clang" })));
    if (event.disassembly) this.showDisassembly(event.disassembly);
    if (!event.ok) this.stage("done");
  }

  // The grader sends the disassembly in its own event once llvm-objdump is done (it runs
  // beside the sandbox run); older runs carried it in the compile event.
  on_disassembly(event) {
    if (event.text) this.showDisassembly(event.text);
  }

  showDisassembly(text) {
    const disasm = this.el("run-disasm");
    disasm.hidden = false;
    disasm.querySelector("pre").textContent = text;
  }

  // A failed load carries the server's analysis (labs/verifier): its kind, the complaint,
  // the source line, and which lines of the log are the complaint, the failing instruction
  // and its source.
  on_load(event) {
    const s = this.strings;
    const log = event.verifier_log || "";
    const rejection = event.ok ? null : event.rejection || null;
    const title = event.ok ? s.load_ok : rejection?.by === "loader" ? s.load_not_loaded : s.load_failed;
    const children = [h("h3", {}, h("span", { class: "dot" }), title)];
    if (event.error) children.push(h("p", { class: "bad" }, errorText(event.error, s)));
    if (rejection) children.push(...this.explainRejection(rejection, log));
    if (log) children.push(this.verifierLog(log, !event.ok));
    this.el("run-load").replaceChildren(h("section", { class: `load ${event.ok ? "state-ok" : "state-bad"}`, "data-testid": "load" }, children));
    this.stage(event.ok ? "checking" : "done");
  }

  explainRejection(rejection, log) {
    const s = this.strings;
    const lines = log.split("\n");
    const at = rejection.log_lines || {};
    const out = [];
    if (at.insn !== undefined) out.push(h("p", { class: "failing" }, h("strong", {}, s.failing_insn + ": "), h("code", {}, lines[at.insn].trim())));
    const complaint = at.complaint !== undefined ? lines[at.complaint] : rejection.message;
    if (complaint) out.push(h("p", { class: "bad verifier-error" }, complaint));
    const line = rejection.line;
    if (line) {
      out.push(h("p", {}, h("button", { type: "button", class: "diag-where", onclick: () => this.editor.goTo(line) }, format(s.source_line, { line })), " ", h("code", {}, this.editor.lineText(line).trim())));
      const by = rejection.by === "loader" ? "libbpf" : "verifier";
      const said = complaint || (rejection.by === "loader" ? s.load_not_loaded : s.load_failed);
      const message = by === "verifier" ? format(s.verifier_marker, { message: said }) : `${by}: ${said}`;
      this.editor.mark([{ line, column: 1, severity: "error", message, source: by }]);
    }
    const explanation = s.verifier[rejection.class];
    if (explanation) out.push(h("div", { class: "explain", "data-explain": rejection.class }, h("strong", {}, s.why + ": "), explanation));
    this.analysis = { errorIndex: at.complaint ?? -1, insnIndex: at.insn ?? -1, sourceIndex: at.source ?? -1 };
    return out;
  }

  verifierLog(log, open) {
    const analysis = this.analysis || { errorIndex: -1, insnIndex: -1, sourceIndex: -1 };
    const lines = log.split("\n").map((line, i) => {
      let kind = line.startsWith("; ") ? "log-src" : "";
      if (open && i === analysis.insnIndex) kind += " log-failing";
      if (open && i === analysis.errorIndex) kind += " log-error";
      if (open && i === analysis.sourceIndex) kind += " log-source-hit";
      return h("span", { class: `log-line ${kind}`.trim() }, line);
    });
    return h("details", { class: "verifier-log", open: open || null }, h("summary", {}, this.strings.verifier_log), h("pre", { tabindex: "0" }, lines));
  }

  on_test_run() {}

  // Attaching to a hook or seeding a map can fail for reasons the checks then only echo.
  on_attach(event) {
    if (!event.ok) this.el("run-load").append(h("p", { class: "bad" }, format(this.strings.attach_failed, { target: event.target || "", error: errorText(event.error, this.strings) })));
  }

  on_map_update(event) {
    if (!event.ok) this.el("run-load").append(h("p", { class: "bad" }, format(this.strings.map_update_failed, { error: errorText(event.error, this.strings) })));
  }

  on_check(event) {
    const s = this.strings;
    let item = this.root.querySelector(`#run-checks li[data-check="${CSS.escape(event.name)}"]`);
    if (!item) {
      item = h("li", { class: "check", "data-check": event.name });
      this.el("run-checks").append(item);
    }
    item.className = `check ${event.passed ? "passed" : "failed"}`;
    const detail = h("div", { class: "check-detail" },
      h("span", {}, h("em", {}, s.expected), " ", h("code", {}, event.expected)),
      h("span", {}, h("em", {}, s.actual), " ", actualText(event, s)));
    item.replaceChildren(h("span", { class: "check-mark" }, event.passed ? "✓" : "✗"), h("span", { class: "check-text" }, pickLanguage(event.describe) || event.name), detail);
  }

  on_trace(event) {
    const atBottom = this.trace.scrollHeight - this.trace.scrollTop - this.trace.clientHeight < 24;
    const who = event.task ? `${event.task}-${event.pid} [${String(event.cpu ?? "").padStart(3, "0")}] ${stamp(event.timestamp)}: ` : "";
    const message = event.message ?? event.line ?? "";
    this.trace.append(h("div", { class: "trace-line" }, h("span", { class: "trace-who" }, who), h("span", { class: "trace-msg" }, message)));
    this.traceCount += 1;
    if (atBottom) this.trace.scrollTop = this.trace.scrollHeight;
  }

  on_truncated(event) {
    this.trace.append(h("div", { class: "trace-line trace-note" }, format(this.strings.truncated, event)));
  }

  on_map_dump(event) {
    if (!event.ok) return;
    const maps = this.el("run-maps");
    if (!maps.querySelector("h3")) maps.append(h("h3", {}, this.strings.maps));
    const existing = maps.querySelector(`figure[data-map="${CSS.escape(event.map)}"]`);
    const table = renderMapDump(event, this.strings);
    if (existing) existing.replaceWith(table);
    else maps.append(table);
  }

  on_error(event) {
    this.el("run-load").append(h("p", { class: "bad" }, `${this.strings.sandbox_error}: ${event.message}`));
  }

  on_verdict(event) {
    this.verdict = event;
    // A free-form run (the playground) has no checks: it ran, or it did not get that far.
    if (event.passed === null) return this.showFreeFormVerdict(event);
    this.showVerdict(event.passed, this.summarise(event));
  }

  // A free-form run has no checks to fail: it ran, or it did not get that far ("Not yet" was wrong).
  freeFormBadge() {
    const words = this.config.playground || {};
    return this.verdict?.stage === "done" ? [words.ran, "passed"] : [words.rejected, "failed"];
  }

  showFreeFormVerdict(event) {
    const words = this.config.playground || {};
    const ran = event.stage === "done";
    const badge = h("strong", { class: ran ? "ok" : "bad" }, ran ? words.ran : words.rejected);
    this.say("", badge, " ", event.summary || "");
  }

  // One test run of a free-form program: its return value and the bytes in against out.
  on_packet(event) {
    const words = this.config.playground || {};
    const section = this.el("run-packets-section");
    if (!section) return;
    section.hidden = false;
    const title = h("h4", {}, format(words.packet, { n: event.index + 1 }), ": ",
      event.ok ? h("code", { class: "pg-action" }, event.action) : h("span", { class: "bad" }, event.error || ""),
      event.ok ? h("span", { class: "muted small" }, ` (${words.action} ${event.retval})`) : null);
    const figure = h("figure", { class: "pg-result", "data-packet": event.index }, title);
    if (event.ok) figure.append(...renderBytes(event.data_in, event.data_out, words));
    this.el("run-packets").append(figure);
  }

  // A ring buffer record, as it arrives: its fields when the map's BTF named them, else
  // hex. The playground has a box of its own; a lab page shows records among the trace.
  on_record(event) {
    const shown = event.fields ? recordFields(event.fields) : event.value !== undefined ? JSON.stringify(event.value) : event.data || JSON.stringify(event);
    const box = this.el("run-records");
    if (box) {
      if (!box.querySelector("h3")) box.append(h("h3", {}, (this.config.playground || {}).records || "records"));
      box.append(h("div", { class: "trace-line record-line" }, h("span", { class: "trace-who" }, `${event.map || ""} `), h("span", { class: "trace-msg" }, shown)));
      return;
    }
    const atBottom = this.trace.scrollHeight - this.trace.scrollTop - this.trace.clientHeight < 24;
    this.trace.append(h("div", { class: "trace-line trace-record" }, h("span", { class: "trace-who" }, `${format(this.strings.record, event)} `), h("span", { class: "trace-msg" }, shown)));
    this.traceCount += 1;
    if (atBottom) this.trace.scrollTop = this.trace.scrollHeight;
  }

  // Live traffic mode: one tick a second with the lines, records and map snapshots since the last.
  on_tick(event) {
    const words = this.config.playground || {};
    const box = this.el("run-live");
    if (box) {
      box.hidden = false;
      const seconds = ((event.elapsed_ms || 0) / 1000).toFixed(0);
      box.replaceChildren(h("h3", {}, words.live), h("p", { "data-testid": "live-progress" },
        format(words.live_progress, { seconds, sent: event.sent ?? 0, triggers: event.triggers ?? 0 })));
    }
    for (const line of event.trace || []) this.on_trace(line);
    for (const record of event.records || []) this.on_record(record);
    if (event.dropped) this.trace.append(h("div", { class: "trace-line trace-note" }, format(words.dropped, { n: event.dropped })));
    for (const map of event.maps || []) this.on_map_dump({ ok: true, ...map });
  }

  on_live(event) {
    const words = this.config.playground || {};
    const box = this.el("run-live");
    if (!box) return;
    box.hidden = false;
    const said = event.stopped === "stop" ? words.live_stopped_stop : words.live_stopped_limit;
    box.append(h("p", { class: "muted", "data-testid": "live-stopped" }, event.ok ? said : event.error || ""));
  }

  // The server words the summary (labs/grading/words.py) in this page's language: the
  // socket's ?lang= asks for it.
  summarise(event) {
    return event.summary;
  }

  showVerdict(passed, summary) {
    const s = this.strings;
    const badge = h("strong", { class: passed ? "ok" : "bad" }, passed ? s.verdict_passed : s.verdict_failed);
    const next = passed && this.config.nextUrl ? h("a", { class: "button next-lab", href: this.config.nextUrl }, this.config.nextLabel) : null;
    this.say("", badge, " ", summary || "", next ? " " : null, next);
  }

  on_finished(event) {
    this.finished = true;
    this.stage("done");
    this.root.classList.remove("status-queued", "status-compiling", "status-running");
    this.root.classList.add(`status-${event.status}`, event.passed ? "passed" : "not-passed");
    // The lab's badge follows the run: passed, or attempted once a first run is over
    // (a lab already passed stays passed).
    const status = document.querySelector("[data-testid=lab-status]");
    if (status && event.passed) {
      status.textContent = this.strings.verdict_passed;
      status.className = "badge badge-passed";
    } else if (status && status.classList.contains("badge-not_started")) {
      status.textContent = this.strings.status_attempted;
      status.className = "badge badge-attempted";
    }
    const recent = document.querySelector(`[data-run-token="${CSS.escape(this.root.dataset.run || "")}"] .badge`);
    if (recent) {
      const [label, kind] = event.status === "error" ? [this.strings.run_error, "error"] : event.passed === null ? this.freeFormBadge() : event.passed ? [this.strings.verdict_passed, "passed"] : [this.strings.verdict_failed, "failed"];
      recent.textContent = label;
      recent.className = `badge badge-${kind}`;
    }
    if (event.status === "error") {
      this.say("", h("strong", { class: "bad" }, this.strings.run_error), " ", event.error || "");
    } else if (!this.verdict && event.passed !== null) {
      this.showVerdict(event.passed, "");
    }
    if (this.traceCount === 0) this.trace.append(h("div", { class: "trace-line trace-note" }, this.strings.trace_empty));
    document.getElementById("stop-button")?.remove();
    this.socket?.close();
  }
}
