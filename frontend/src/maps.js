// Map dumps as tables: key and value in hex, plus little-endian u32/u64 decodings when the
// sizes allow, and per-CPU values summed. Array maps hold every index, so entries whose
// value is all zero are counted, not listed.
import { h, format } from "./dom.js";

export function decodeLe(hex) {
  const clean = String(hex || "").replace(/\s+/g, "");
  if (clean.length !== 8 && clean.length !== 16) return null;
  let value = 0n;
  for (let i = clean.length - 2; i >= 0; i -= 2) value = (value << 8n) | BigInt(parseInt(clean.slice(i, i + 2), 16));
  return value;
}

const isZero = (hex) => !/[1-9a-f]/i.test(String(hex || ""));
const spaced = (hex) => String(hex || "").replace(/(..)(?!$)/g, "$1 ");

function hexCell(hex) {
  const decoded = decodeLe(hex);
  return h("td", {}, h("code", {}, spaced(hex)), decoded !== null ? h("span", { class: "decoded" }, ` = ${decoded}`) : null);
}

function perCpuCells(values) {
  const decoded = values.map(decodeLe);
  if (decoded.some((v) => v === null)) {
    return [h("td", {}, ...values.map((v, cpu) => h("div", {}, h("span", { class: "cpu" }, `cpu${cpu} `), h("code", {}, spaced(v))))), h("td", {})];
  }
  const sum = decoded.reduce((a, b) => a + b, 0n);
  return [h("td", {}, h("code", { class: "percpu" }, `[${decoded.join(", ")}]`)), h("td", { class: "sum" }, String(sum))];
}

function row(event, entry) {
  if (!event.percpu) return h("tr", {}, hexCell(entry.key), hexCell(entry.value));
  return h("tr", {}, hexCell(entry.key), ...perCpuCells(entry.values || []));
}

function isEmptyEntry(event, entry) {
  if (!String(event.type || "").includes("array")) return false;
  return event.percpu ? (entry.values || []).every(isZero) : isZero(entry.value);
}

export function renderMapDump(event, strings) {
  const entries = event.entries || [];
  const shown = entries.filter((entry) => !isEmptyEntry(event, entry));
  const hidden = entries.length - shown.length;
  // The map's name and type are the kernel's identifiers: shown as code inside the sentence.
  const values = { key: event.key_size, value: event.value_size };
  const [beforeType, tail] = String(strings.map_caption).split("%(type)s");
  const [, afterName] = beforeType.split("%(map)s");
  const title = [h("code", {}, event.map), format(afterName ?? "", values), h("code", {}, event.type), format(tail ?? "", values)];
  const head = h("tr", {}, h("th", {}, strings.map_key), h("th", {}, strings.map_value), event.percpu ? h("th", {}, strings.map_sum) : null);
  const rows = shown.map((entry) => row(event, entry));
  if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: event.percpu ? 3 : 2, class: "muted" }, strings.map_empty)));
  return h("figure", { class: "map-dump", "data-map": event.map },
    h("figcaption", {}, ...title, event.truncated ? " …" : ""),
    h("table", {}, h("thead", {}, head), h("tbody", {}, rows)),
    hidden ? h("p", { class: "muted small" }, format(hidden === 1 ? strings.map_zero_hidden_one : strings.map_zero_hidden, { n: hidden })) : null);
}
