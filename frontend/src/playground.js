// The playground's settings form: shows the fields the chosen hook uses, a packet's fields
// or its hex, and sends the stop button's request without leaving the page. The form works
// without this (every field is posted; the server ignores what the hook does not use).
function showFor(form) {
  const hook = form.querySelector("[data-pg-hook]")?.value || "xdp";
  for (const node of form.querySelectorAll("[data-pg-for]")) {
    node.hidden = !node.dataset.pgFor.split(" ").includes(hook);
  }
  for (const packet of form.querySelectorAll("[data-pg-packet]")) {
    const kind = packet.querySelector("[data-pg-kind]").value;
    packet.querySelector("[data-pg-fields]").hidden = !kind || kind === "hex" || kind === "arp";
    packet.querySelector("[data-pg-hex]").hidden = kind !== "hex";
  }
}

function enhanceStop(config) {
  const button = document.getElementById("stop-button");
  if (!button || !config.stopUrl) return;
  button.addEventListener("click", async (event) => {
    event.preventDefault();
    const csrf = document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
    button.disabled = true;
    button.textContent = (config.playground || {}).stopping || "…";
    await fetch(config.stopUrl, { method: "POST", headers: { "X-CSRFToken": csrf, Accept: "application/json" }, credentials: "same-origin" });
  });
}

// Switching the hook swaps in that hook's starter program, unless the code was edited.
function swapStarters(form, config, editor) {
  const select = form.querySelector("[data-pg-hook]");
  const starters = {};
  for (const node of document.querySelectorAll("textarea[data-starter]")) starters[node.dataset.starter] = node.value;
  if (!select || !editor) return;
  select.addEventListener("change", () => {
    const untouched = Object.values(starters).some((text) => text.trim() === editor.text().trim());
    if (untouched && starters[select.value]) editor.replace(starters[select.value]);
  });
}

export function enhancePlayground(config, editor) {
  const form = document.querySelector(".playground-form");
  if (!form) return;
  form.addEventListener("change", () => showFor(form));
  showFor(form);
  swapStarters(form, config, editor);
  enhanceStop(config);
}
