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

export function enhancePlayground(config) {
  const form = document.querySelector(".playground-form");
  if (!form) return;
  form.addEventListener("change", () => showFor(form));
  showFor(form);
  enhanceStop(config);
}
