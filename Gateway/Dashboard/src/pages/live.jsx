// Live: the project's events as they happen, from the live stream.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { useLoad, Problem, Table } from "../ui.jsx";
import { useEventStream, streamStates } from "../stream.js";
import { time } from "../format.js";

const Kept = 200;

const machines = { apple_privacy_proxy: "Apple's proxy", prefetch: "prefetch", link_scanner: "link scanner" };

/** Who made an open or a click: the client, and a machine's reason when it was one. */
function client(e) {
  if (!e.client) return "—";
  const name = [e.client.name, e.client.os, e.client.device].filter((v) => v !== "unknown").join(", ") || "unknown";
  return e.machine ? <>{name} <span class="machine" data-machine={e.machine}>machine: {machines[e.machine] ?? e.machine}</span></> : name;
}

/** Events as table rows: time, type, email, IP address, user agent and link. */
export function EventRows({ events, withEmail = false }) {
  return (
    <>
      <thead>
        <tr>
          <th scope="col">Time</th><th scope="col">Event</th>{withEmail && <th scope="col">Email</th>}
          <th scope="col">Client</th><th scope="col">IP address</th><th scope="col">User agent</th><th scope="col">Link</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id} data-event={e.type}>
            <td class="nowrap" data-label="Time">{time(e.created_at)}</td>
            <td data-label="Event"><span class={`event event-${e.type}`}>{e.type}</span></td>
            {withEmail && <td data-label="Email"><a href={`#/emails/${e.email_id}`}>{e.email_id.slice(0, 8)}</a></td>}
            <td data-label="Client">{client(e)}</td>
            <td class="nowrap" data-label="IP address">{e.ip_address ?? "—"}</td>
            <td class="agent" data-label="User agent">{e.user_agent ?? "—"}</td>
            <td class="url" data-label="Link">{e.link ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </>
  );
}

export function Live() {
  const [arrived, setArrived] = useState([]);
  const recent = useLoad(() => api("/v1/events?limit=20&days=1"), []);
  const state = useEventStream((event) => setArrived((list) => [event, ...list.filter((e) => e.id !== event.id)].slice(0, Kept)));
  const seen = new Set(arrived.map((e) => e.id));
  const events = [...arrived, ...(recent.data?.data ?? []).filter((e) => !seen.has(e.id))].slice(0, Kept);
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live</h1>
      <p class="stream-state" role="status" data-state={state}>{streamStates[state]}</p>
      <Problem error={recent.error} />
      {events.length === 0 ? <p class="empty">Waiting for events…</p> : (
        <Table caption="Events, newest first" cards>
          <EventRows events={events} withEmail />
        </Table>
      )}
    </section>
  );
}
