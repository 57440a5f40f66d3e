// A packet's bytes in against its bytes out, as hex rows of 16, the changed bytes marked.
import { h, format } from "./dom.js";

const ROW = 16;

function pairs(hex) {
  return String(hex || "").match(/../g) || [];
}

function rows(bytes, other) {
  const out = [];
  for (let at = 0; at < bytes.length; at += ROW) {
    const cells = bytes.slice(at, at + ROW).map((b, i) =>
      h("span", { class: other[at + i] === b ? "byte" : "byte byte-changed" }, b));
    out.push(h("div", { class: "byte-row" }, h("span", { class: "byte-offset" }, at.toString(16).padStart(4, "0")), ...cells));
  }
  return out;
}

export function renderBytes(dataIn, dataOut, words) {
  const before = pairs(dataIn);
  const after = pairs(dataOut);
  const changed = after.filter((b, i) => before[i] !== b).length + Math.max(0, before.length - after.length);
  const note = changed ? format(words.changed, { n: changed }) : words.unchanged;
  return [
    h("p", { class: "muted small", "data-testid": "bytes-note" }, note),
    h("div", { class: "bytes-compare" },
      h("div", {}, h("h5", {}, words.bytes_in), h("pre", { class: "bytes", tabindex: "0" }, rows(before, before))),
      h("div", {}, h("h5", {}, words.bytes_out), h("pre", { class: "bytes", tabindex: "0", "data-testid": "bytes-out" }, rows(after, before)))),
  ];
}
