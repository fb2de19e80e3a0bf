// Webhooks: the endpoints, turned on and off; each one's deliveries, with their attempts and a retry.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { useLoad, useAction, Problem, Table, Loading } from "../ui.jsx";
import { time, count } from "../format.js";

const EventTypes = ["email.sent", "email.delivered", "email.failed", "email.opened", "email.clicked"];

function NewWebhook({ onCreated }) {
  const [error, run] = useAction();
  const [created, setCreated] = useState(null);
  function create(e) {
    e.preventDefault();
    const formElement = e.currentTarget;
    const form = new FormData(formElement);
    run(async () => {
      setCreated(await api("/v1/webhooks", {
        method: "POST",
        body: { url: form.get("url").trim(), events: form.getAll("events"), include_machine: form.get("include_machine") === "on" },
      }));
      formElement.reset();
      onCreated();
    });
  }
  return (
    <details class="panel">
      <summary>Add an endpoint</summary>
      <form onSubmit={create} class="stack">
        <label>URL <input name="url" type="url" required placeholder="https://example.com/webhooks" spellcheck={false} /></label>
        <fieldset>
          <legend>Events</legend>
          {EventTypes.map((type) => <label class="check"><input type="checkbox" name="events" value={type} defaultChecked /> {type}</label>)}
        </fieldset>
        <label class="check"><input type="checkbox" name="include_machine" defaultChecked /> Also opens and clicks made by machines</label>
        <Problem error={error} />
        <button type="submit">Add endpoint</button>
      </form>
      {created && (
        <p class="secret" role="status">
          Its signing secret, shown this once: <code>{created.secret}</code>
        </p>
      )}
    </details>
  );
}

export function Webhooks() {
  const { data, error, loading, reload } = useLoad(() => api("/v1/webhooks"), []);
  const [failure, run] = useAction();
  const change = (webhook, body) => run(async () => {
    await api(`/v1/webhooks/${webhook.id}`, { method: "PATCH", body });
    reload();
  });
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <NewWebhook onCreated={reload} />
      <Problem error={error ?? failure} />
      <Loading when={loading && !data} />
      {data && (data.data.length === 0 ? <p class="empty">No webhook endpoints yet.</p> : (
        <Table caption="Webhook endpoints" cards>
          <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Machines'</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {data.data.map((w) => (
              <tr data-webhook={w.id}>
                <td class="url" data-label="URL">{w.url}</td>
                <td data-label="Events">{w.events.join(", ")}</td>
                <td data-label="Machines'">{w.include_machine ? "sent" : "left out"}</td>
                <td data-label="State">{w.enabled ? "On" : `Off${w.disabled_reason ? ` (${w.disabled_reason})` : ""}`}</td>
                <td class="actions">
                  <a href={`#/webhooks/${w.id}`}>Deliveries</a>
                  <button type="button" onClick={() => change(w, { enabled: !w.enabled })}>{w.enabled ? "Turn off" : "Turn on"}</button>
                  <button type="button" class="quiet" onClick={() => change(w, { include_machine: !w.include_machine })}>
                    {w.include_machine ? "Leave out machines" : "Send machines' too"}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ))}
    </section>
  );
}

const PageSize = 20;

export function WebhookDeliveries({ id }) {
  const [offset, setOffset] = useState(0);
  const webhook = useLoad(() => api(`/v1/webhooks/${encodeURIComponent(id)}`), [id]);
  const { data, error, loading, reload } = useLoad(
    () => api(`/v1/webhooks/${encodeURIComponent(id)}/deliveries?limit=${PageSize}&offset=${offset}`), [id, offset]);
  const [retried, setRetried] = useState({});
  const [failure, run] = useAction();
  const retry = (delivery) => run(async () => {
    await api(`/v1/webhooks/${encodeURIComponent(id)}/deliveries/${delivery.id}/retry`, { method: "POST" });
    setRetried((r) => ({ ...r, [delivery.id]: true }));
    // The attempt happens in the background; its outcome shows a moment later.
    setTimeout(() => { setRetried((r) => ({ ...r, [delivery.id]: false })); reload(); }, 1500);
  });
  return (
    <section aria-labelledby="deliveries-title">
      <p><a href="#/webhooks">← Webhooks</a></p>
      <h1 id="deliveries-title">Deliveries</h1>
      {webhook.data && <p class="url">{webhook.data.url}</p>}
      <Problem error={webhook.error ?? error ?? failure} />
      <Loading when={loading && !data} />
      {data && (data.data.length === 0 ? <p class="empty">No deliveries yet.</p> : (
        <Table caption="Deliveries, newest first" cards>
          <thead>
            <tr>
              <th scope="col">Created</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th>
              <th scope="col">Last answer</th><th scope="col">Next attempt</th><th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {data.data.map((d) => (
              <tr data-delivery={d.id} data-status={d.status}>
                <td class="nowrap" data-label="Created">{time(d.created_at)}</td>
                <td data-label="Event">{d.event_type} <code class="quiet-code">{d.event_id}</code></td>
                <td data-label="Status"><span class={`status status-${d.status}`}>{d.status}</span></td>
                <td class="num" data-label="Attempts">{count(d.attempts)}</td>
                <td data-label="Last answer">{d.last_status_code ?? ""}{d.last_error ? ` ${d.last_error}` : ""}{d.last_status_code || d.last_error ? "" : "—"}</td>
                <td class="nowrap" data-label="Next attempt">{time(d.next_attempt_at)}</td>
                <td>
                  <button type="button" onClick={() => retry(d)} disabled={retried[d.id]}>
                    {retried[d.id] ? "Sending…" : d.status === "delivered" ? "Send again" : "Retry"}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ))}
      <nav class="pager" aria-label="Pages of deliveries">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PageSize))}>Newer</button>
        <button type="button" disabled={!data?.has_more} onClick={() => setOffset(offset + PageSize)}>Older</button>
      </nav>
    </section>
  );
}
