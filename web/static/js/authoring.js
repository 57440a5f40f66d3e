// The lab editor: validate the files as the instructor types (the server loads them as a
// lab and names the field at fault) and refresh the lesson previews. The self-check page:
// each run's events as they arrive on its websocket; the verdict is the server's (a reload).

const editor = document.getElementById("lab-editor");
if (editor) {
  const problem = document.getElementById("problem");
  let timer = null;
  let asked = 0;
  const check = async () => {
    const mine = ++asked;
    const response = await fetch(editor.dataset.validate, { method: "POST", body: new FormData(editor) });
    if (mine !== asked || !response.ok) return;
    const answer = await response.json();
    problem.className = `problem ${answer.ok ? "good" : "bad"}`;
    problem.textContent = answer.ok ? problem.dataset.ok : answer.problem.message;
    for (const area of editor.querySelectorAll("textarea[data-file]")) {
      const wrong = !answer.ok && answer.problem.file === area.dataset.file;
      area.setAttribute("aria-invalid", wrong ? "true" : "false");
    }
    for (const [lang, html] of Object.entries(answer.previews || {})) {
      const preview = document.getElementById(`preview-${lang}`);
      if (preview) preview.innerHTML = html; // sanitised by the server (web/pages/lessons.py)
    }
  };
  editor.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
}

const runs = document.getElementById("self-check-runs");
if (runs) {
  const words = JSON.parse(runs.dataset.words);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const open = [...runs.querySelectorAll("[data-run]")].filter((section) => !section.dataset.finished);
  let running = open.length;
  for (const section of open) {
    const socket = new WebSocket(`${scheme}://${location.host}/ws/runs/${section.dataset.run}/?lang=${runs.dataset.lang}`);
    const state = section.querySelector("[data-state]");
    const events = section.querySelector("[data-events]");
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.event === "stage") state.textContent = words[event.stage] || event.stage;
      if (event.event === "check") {
        const item = document.createElement("li");
        item.className = event.passed ? "ok" : "no";
        item.textContent = `${event.passed ? "✓" : "✗"} ${event.name}`;
        events.append(item);
      }
      if (event.event === "verdict") state.textContent = event.summary;
      if (event.event === "finished") {
        socket.close();
        running -= 1;
        if (running === 0) location.reload();
      }
    });
  }
}
