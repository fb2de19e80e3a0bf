// The dashboard's only way to the service: the public /v1 API, with the key kept in this tab's session storage.
const KeyName = "tracking.apiKey";

export const session = {
  key: () => sessionStorage.getItem(KeyName),
  signIn(key) { sessionStorage.setItem(KeyName, key); dispatchEvent(new Event("tracking-session")); },
  signOut(reason) {
    sessionStorage.removeItem(KeyName);
    session.reason = reason ?? null;
    dispatchEvent(new Event("tracking-session"));
  },
  reason: null,
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The service answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function headers(key, extra) {
  return { Authorization: `Bearer ${key}`, Accept: "application/json", ...extra };
}

/** Calls the API with the signed-in key; a refused key signs the tab out. */
export async function api(path, { method = "GET", body, key = session.key() } = {}) {
  const response = await fetch(path, {
    method,
    headers: headers(key, body === undefined ? {} : { "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && key === session.key()) session.signOut("The service refused the key (revoked?). Sign in again.");
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") q.set(name, value);
  const text = q.toString();
  return text ? `?${text}` : "";
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
});

/**
 * Follows GET /v1/events/stream until the signal aborts. EventSource cannot send the key in a header, so this
 * reads the Server-Sent Events itself, and reconnects with Last-Event-ID so that no event is missed or repeated.
 */
export async function followEvents(onEvent, onState, signal) {
  let last = null;
  while (!signal.aborted) {
    let wait = "reconnecting";
    try {
      const extra = { Accept: "text/event-stream" };
      if (last) extra["Last-Event-ID"] = last;
      const response = await fetch("/v1/events/stream", { headers: headers(session.key(), extra), signal, cache: "no-store" });
      if (response.status === 401) { session.signOut("The service refused the key (revoked?). Sign in again."); return; }
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
      onState("live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let event = {};
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n")) >= 0) {
          let line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          if (line.endsWith("\r")) line = line.slice(0, -1);
          if (line === "") {
            if (event.data !== undefined) {
              if (event.id) last = event.id;
              onEvent(JSON.parse(event.data));
            }
            event = {};
          } else if (!line.startsWith(":")) {
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            let text = colon < 0 ? "" : line.slice(colon + 1);
            if (text.startsWith(" ")) text = text.slice(1);
            if (field === "data") event.data = event.data === undefined ? text : `${event.data}\n${text}`;
            else if (field === "id") event.id = text;
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      // 429: the project already follows as many streams as it may; try again later.
      if (error instanceof ApiError && error.status === 429) wait = "busy";
    }
    if (signal.aborted) return;
    onState(wait);
    await sleep(2000, signal);
  }
}
