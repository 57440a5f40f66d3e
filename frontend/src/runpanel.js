// The live run panel: one websocket to /ws/runs/<token>/, events rendered in order. The
// server replays stored events on every (re)connect; events already seen (by seq) are dropped.
import { h, format, pickLanguage } from "./dom.js";
import { renderMapDump } from "./maps.js";

const TRACK = ["queued", "compiling", "loading", "checking", "done"];
const STAGE_TO_TRACK = { queued: "queued", compiling: "compiling", booting: "loading", loading: "loading", running: "checking", checking: "checking" };
const CLOSE_FORBIDDEN = 4403;
// A run that goes quiet this long gets a fresh connection: connecting is what makes the
// server notice a run whose worker died and mark it failed, so the page never spins forever.
const QUIET_RECONNECT_MS = 30_000;

// "not run: <reason>" repeats the same reason on every check after a failed compile or load;
// the reason is shown once above, so each check says "not run" and keeps the rest as a tooltip.
function actualText(actual, strings) {
  const text = String(actual ?? "");
  // The prefix comes in the run's language ("not run: ", "未运行：").
  if (text.startsWith(strings.not_run_prefix || "not run")) {
    return h("code", { title: text }, strings.not_run);
  }
  return h("code", {}, text);
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
    if (event.stage === "queued" || event.stage === "compiling") this.say("muted", this.strings.stages[event.stage] + "…");
    this.stage(STAGE_TO_TRACK[event.stage]);
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
        h("span", { class: "diag-severity" }, d.severity), " ",
        h("span", { class: "diag-message" }, d.message),
        d.source_line ? h("pre", { class: "diag-source" }, d.source_line) : null));
    const block = h("section", { class: `compile ${event.ok ? "state-ok" : "state-bad"}`, "data-testid": "compile" },
      h("h3", {}, h("span", { class: "dot" }), title, event.duration_s ? h("span", { class: "muted small" }, ` ${(event.duration_s * 1000).toFixed(0)} ms`) : null),
      items.length ? h("ul", { class: "diagnostics" }, items) : null,
      event.error ? h("p", { class: "bad" }, event.error) : null,
      !event.ok && event.output ? h("details", {}, h("summary", {}, s.raw_output), h("pre", {}, event.output)) : null);
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
    if (event.error) children.push(h("p", { class: "bad" }, event.error));
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
      this.editor.mark([{ line, column: 1, severity: "error", message: `${by}: ${complaint || s.load_failed}`, source: by }]);
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
    return h("details", { class: "verifier-log", open: open || null }, h("summary", {}, this.strings.verifier_log), h("pre", {}, lines));
  }

  on_test_run() {}

  // Attaching to a hook or seeding a map can fail for reasons the checks then only echo.
  on_attach(event) {
    if (!event.ok) this.el("run-load").append(h("p", { class: "bad" }, `attach ${event.target || ""}: ${event.error || ""}`));
  }

  on_map_update(event) {
    if (!event.ok) this.el("run-load").append(h("p", { class: "bad" }, `map_update: ${event.error || ""}`));
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
      h("span", {}, h("em", {}, s.actual), " ", actualText(event.actual, s)));
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
    this.showVerdict(event.passed, this.summarise(event));
  }

  // The grader's summary is English; the counts and stages are said in the page's language,
  // and only a load failure keeps the grader's words (they quote the verifier).
  summarise(event) {
    const s = this.strings;
    const checks = this.root.querySelectorAll("#run-checks li.check");
    const passed = this.root.querySelectorAll("#run-checks li.check.passed").length;
    if (event.stage === "compile") return s.summary_compile;
    if (event.stage === "load") return event.summary;
    if (event.stage === "done") return format(event.passed ? s.summary_all : s.summary_some, { passed, total: checks.length });
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
    const status = document.querySelector("[data-testid=lab-status]");
    if (status && event.passed) {
      status.textContent = this.strings.verdict_passed;
      status.className = "badge badge-passed";
    }
    const recent = document.querySelector(`[data-run-token="${CSS.escape(this.root.dataset.run || "")}"] .badge`);
    if (recent) {
      const [label, kind] = event.status === "error" ? [this.strings.run_error, "error"] : event.passed ? [this.strings.verdict_passed, "passed"] : [this.strings.verdict_failed, "failed"];
      recent.textContent = label;
      recent.className = `badge badge-${kind}`;
    }
    if (event.status === "error") {
      this.say("", h("strong", { class: "bad" }, this.strings.run_error), " ", event.error || "");
    } else if (!this.verdict) {
      this.showVerdict(event.passed, "");
    }
    if (this.traceCount === 0) this.trace.append(h("div", { class: "trace-line trace-note" }, this.strings.trace_empty));
    this.socket?.close();
  }
}
