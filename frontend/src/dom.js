// A tiny element builder: h("li", {class: "x"}, "text", child). Text is always set as text,
// never as HTML, so nothing a program prints can inject markup.
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function format(template, values) {
  return String(template).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

export function pickLanguage(texts) {
  if (!texts || typeof texts === "string") return texts || "";
  const lang = (document.documentElement.lang || "en").toLowerCase();
  return texts[lang] || (lang.startsWith("zh") && texts["zh-hans"]) || texts.en || Object.values(texts)[0] || "";
}
