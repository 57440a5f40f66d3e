// Entry point: enhances server-rendered pages. Every page works without it; this adds the
// code editor, draft autosave, the live run panel and small conveniences.
import { mountEditor } from "./editor.js";
import { mountRunPanel } from "./runpanel.js";
import { mountDraftAutosave } from "./drafts.js";
import { enhancePlayground } from "./playground.js";

function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

// The run shortcut is Ctrl-Enter, or Cmd-Enter on a Mac: say the one this keyboard has.
function labelShortcut() {
  if (!/Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)) return;
  for (const key of document.querySelectorAll(".run-button kbd")) {
    if (key.textContent === "Ctrl") key.textContent = "⌘";
  }
}

function enhanceLanguageSwitch() {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  document.documentElement.classList.add("js");
}

function enhanceWorkspace() {
  const textarea = document.querySelector("textarea[data-code-editor]");
  if (!textarea) return;
  const config = readJson("panel-config") || {};
  const strings = readJson("panel-strings") || {};
  const form = textarea.form;
  const drafts = mountDraftAutosave(form, config, strings);
  const editor = mountEditor(textarea, {
    onChange: (source) => drafts.changed(source),
    onRun: () => form.requestSubmit(),
    phrases: strings.codemirror || {},
  });
  form.addEventListener("submit", () => {
    drafts.cancel();
    const button = document.getElementById("run-button");
    if (button) button.disabled = true;
  });
  // Coming back with the browser's Back button restores the page as it was left: with the
  // Run button disabled by the submit. Enable it again (unless this site's sandbox
  // cannot run the lab: the server disabled it for good).
  window.addEventListener("pageshow", () => {
    const button = document.getElementById("run-button");
    if (button && !("unavailable" in button.dataset)) button.disabled = false;
  });
  const reset = document.querySelector("[data-reset]");
  if (reset) {
    reset.addEventListener("click", (event) => {
      if (!window.confirm(strings.reset_confirm)) event.preventDefault();
    });
  }
  const panel = document.getElementById("run-panel");
  if (panel) mountRunPanel(panel, { config, strings, editor });
  enhancePlayground(config, editor);
  window.bpflab = { editor };
}

document.addEventListener("DOMContentLoaded", () => {
  enhanceLanguageSwitch();
  labelShortcut();
  enhanceWorkspace();
});
