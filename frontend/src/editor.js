// CodeMirror 6 over the form's <textarea>: the textarea stays the source of truth for the
// form POST, the editor keeps it in sync.
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { cpp } from "@codemirror/lang-cpp";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { oneDark } from "@codemirror/theme-one-dark";
import { tags } from "@lezer/highlight";

const sizing = EditorView.theme({
  "&": { fontSize: "13.5px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.55" },
});

// One Dark's comments, names and keywords read below 4.5:1 on its background (and its
// current line's); WCAG AA asks 4.5:1. The same hues, lighter.
const READABLE = { grey: "#9aa3b2", coral: "#e8858d", violet: "#cf8ce3" };
const readable = [
  Prec.highest(EditorView.theme({ ".cm-gutters": { color: READABLE.grey } }, { dark: true })),
  Prec.highest(
    syntaxHighlighting(
      HighlightStyle.define([
        { tag: [tags.meta, tags.comment], color: READABLE.grey },
        { tag: tags.keyword, color: READABLE.violet },
        {
          tag: [tags.name, tags.deleted, tags.character, tags.propertyName, tags.macroName, tags.heading],
          color: READABLE.coral,
        },
      ]),
    ),
  ),
];

// phrases: CodeMirror's own words ("Fold line", "Find", ...) in the page's language.
export function mountEditor(textarea, { onChange, onRun, phrases = {} }) {
  const host = document.createElement("div");
  host.className = "code-editor";
  textarea.after(host);
  textarea.classList.add("enhanced");
  const runKey = Prec.highest(
    keymap.of([{ key: "Mod-Enter", preventDefault: true, run: () => (onRun(), true) }]),
  );
  const view = new EditorView({
    doc: textarea.value,
    parent: host,
    extensions: [
      runKey,
      EditorState.phrases.of(phrases),
      basicSetup,
      keymap.of([indentWithTab]),
      cpp(),
      lintGutter(),
      oneDark,
      sizing,
      readable,
      EditorView.contentAttributes.of({
        "aria-label": textarea.labels?.[0]?.textContent || "prog.c",
        "aria-describedby": textarea.getAttribute("aria-describedby") || "",
        tabindex: "0",
      }),
      EditorView.updateListener.of((update) => {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        onChange(textarea.value);
      }),
    ],
  });
  return new Editor(view);
}

class Editor {
  constructor(view) {
    this.view = view;
    this.markers = [];
  }

  // markers: [{line, column, severity, message}] with 1-based lines and columns.
  mark(markers) {
    this.markers.push(...markers);
    const doc = this.view.state.doc;
    const diagnostics = [];
    for (const m of this.markers) {
      if (!m.line || m.line > doc.lines) continue;
      const line = doc.line(m.line);
      let from = line.from + Math.max(0, Math.min((m.column || 1) - 1, line.length));
      let to = line.to;
      if (from >= to) from = line.from;
      if (from === to && to < doc.length) to += 1;
      const severity = m.severity === "warning" ? "warning" : m.severity === "note" ? "info" : "error";
      diagnostics.push({ from, to, severity, message: m.message, source: m.source });
    }
    this.view.dispatch(setDiagnostics(this.view.state, diagnostics));
  }

  text() {
    return this.view.state.doc.toString();
  }

  replace(text) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  goTo(lineNumber) {
    const doc = this.view.state.doc;
    if (lineNumber < 1 || lineNumber > doc.lines) return;
    const line = doc.line(lineNumber);
    this.view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
    this.view.focus();
  }

  lineText(lineNumber) {
    const doc = this.view.state.doc;
    return lineNumber >= 1 && lineNumber <= doc.lines ? doc.line(lineNumber).text : "";
  }
}
