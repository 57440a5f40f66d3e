// The page of a run on every kernel, while it runs: each kernel's progress as its events
// arrive on the run's websocket, its stages in the page's words; the finished matrix is
// the server's (a reload).
const list = document.getElementById("kernel-progress");
if (list) {
  const stages = JSON.parse(document.getElementById("kernel-stage-words").textContent);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${list.dataset.ws}`);
  const states = (kernel) =>
    kernel
      ? [...list.querySelectorAll(`[data-kernel="${CSS.escape(kernel)}"] [data-state]`)]
      : [...list.querySelectorAll("[data-state]")]; // the compile is every kernel's
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    if (event.event === "finished" || (event.event === "verdict" && event.kernels)) {
      socket.close();
      location.reload();
      return;
    }
    for (const state of states(event.kernel)) {
      if (event.event === "stage") state.textContent = stages[event.stage] || event.stage;
      if (event.event === "verdict" && event.kernel) state.textContent = event.summary;
    }
  });
}
