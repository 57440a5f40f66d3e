// The page of a run on every kernel, while it runs: each kernel's progress as its events
// arrive on the run's websocket; the finished matrix is the server's (a reload).
const list = document.getElementById("kernel-progress");
if (list) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}${list.dataset.ws}`);
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    if (event.event === "finished" || (event.event === "verdict" && event.kernels)) {
      socket.close();
      location.reload();
      return;
    }
    const item = event.kernel && list.querySelector(`[data-kernel="${CSS.escape(event.kernel)}"]`);
    if (!item) return;
    const state = item.querySelector("[data-state]");
    if (event.event === "stage") state.textContent = event.stage;
    if (event.event === "verdict") state.textContent = event.summary;
  });
}
