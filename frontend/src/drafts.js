// Saves the editor's content to the server as the learner types (debounced), so another
// browser opening the lab sees the same draft.
const DEBOUNCE_MS = 700;

export function mountDraftAutosave(form, config, strings) {
  const status = document.getElementById("draft-status");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  let timer = null;
  let pending = null;
  const say = (text, kind) => {
    if (!status) return;
    status.textContent = text;
    status.dataset.state = kind;
  };

  async function save() {
    timer = null;
    if (pending === null || !config.draftUrl || !csrf) return;
    const body = new FormData();
    body.append("source", pending);
    body.append("csrfmiddlewaretoken", csrf.value);
    pending = null;
    say(strings.draft_saving, "saving");
    try {
      const response = await fetch(config.draftUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrf.value },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      // A redirect means the session ended (login page): that is not a saved draft.
      if (response.ok && !response.redirected) say(strings.draft_saved, "saved");
      else say(data.error || strings.draft_failed, "failed");
    } catch {
      say(strings.draft_failed, "failed");
    }
  }

  function flushOnLeave() {
    if (pending === null || !csrf || !navigator.sendBeacon) return;
    const body = new FormData();
    body.append("source", pending);
    body.append("csrfmiddlewaretoken", csrf.value);
    navigator.sendBeacon(config.draftUrl, body);
    pending = null;
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushOnLeave();
  });

  return {
    changed(source) {
      if (!config.draftUrl) return;
      pending = source;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DEBOUNCE_MS);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
    saveNow: save,
  };
}
