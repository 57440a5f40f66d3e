// Map dumps as tables: key and value in hex, plus little-endian u32/u64 decodings when the
// sizes allow, and per-CPU values summed.
import { h } from "./dom.js";

export function decodeLe(hex) {
  const clean = String(hex || "").replace(/\s+/g, "");
  if (clean.length !== 8 && clean.length !== 16) return null;
  let value = 0n;
  for (let i = clean.length - 2; i >= 0; i -= 2) value = (value << 8n) | BigInt(parseInt(clean.slice(i, i + 2), 16));
  return value;
}

function hexCell(hex) {
  const spaced = String(hex || "").replace(/(..)(?!$)/g, "$1 ");
  const decoded = decodeLe(hex);
  return h("td", {}, h("code", {}, spaced), decoded !== null ? h("span", { class: "decoded" }, ` = ${decoded}`) : null);
}

export function renderMapDump(event, strings) {
  const title = `${event.map} (${event.type}, key ${event.key_size} B, value ${event.value_size} B)`;
  const head = h("tr", {}, h("th", {}, strings.map_key), h("th", {}, strings.map_value), event.percpu ? h("th", {}, strings.map_sum) : null);
  const rows = (event.entries || []).map((entry) => {
    if (!event.percpu) return h("tr", {}, hexCell(entry.key), hexCell(entry.value));
    const values = entry.values || [];
    const decoded = values.map(decodeLe);
    const sum = decoded.every((v) => v !== null) ? decoded.reduce((a, b) => a + b, 0n) : null;
    const perCpu = h("td", {}, ...values.map((v, cpu) => h("div", {}, h("span", { class: "cpu" }, `cpu${cpu} `), h("code", {}, v), decoded[cpu] !== null ? h("span", { class: "decoded" }, ` = ${decoded[cpu]}`) : null)));
    return h("tr", {}, hexCell(entry.key), perCpu, h("td", { class: "sum" }, sum === null ? "" : String(sum)));
  });
  if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: event.percpu ? 3 : 2, class: "muted" }, strings.map_empty)));
  return h("figure", { class: "map-dump", "data-map": event.map },
    h("figcaption", {}, title, event.truncated ? " …" : ""),
    h("table", {}, h("thead", {}, head), h("tbody", {}, rows)));
}
