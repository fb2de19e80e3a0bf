// An email: its delivery, its opens and clicks, its timeline of events and a preview of what was sent.
import { api, query } from "../api.js";
import { useLoad, Problem, Table, Loading } from "../ui.jsx";
import { useEventStream, streamStates } from "../stream.js";
import { previewDocument } from "../preview.js";
import { time, list, tags, count } from "../format.js";
import { EventRows } from "./live.jsx";

export function Email({ id }) {
  const { data, error, loading, reload } = useLoad(async () => {
    const [email, events] = await Promise.all([
      api(`/v1/emails/${encodeURIComponent(id)}`),
      api(`/v1/events${query({ email_id: id, days: 90, limit: 100 })}`),
    ]);
    return { email, events: events.data };
  }, [id]);
  // The page follows the live stream: an open or a click of this email shows without a reload.
  const stream = useEventStream((event) => { if (event.email_id === id) reload(); });

  if (!data) return <section><h1>Email</h1><Problem error={error} /><Loading when={loading} /></section>;
  const { email, events } = data;
  const details = [
    ["Status", <span class={`status status-${email.status}`}>{email.status}</span>],
    ["From", email.from], ["To", list(email.to)], ["Cc", list(email.cc)], ["Created", time(email.created_at)],
    ["Delivery attempts", count(email.attempts)], ["SMTP response", email.smtp_response ?? "—"], ["Last error", email.last_error ?? "—"],
    ["Message-ID", email.message_id], ["Tags", tags(email.tags)],
    ["First open", time(email.opened_at)], ["Opens", count(email.open_count)],
    ["First click", time(email.clicked_at)], ["Clicks", count(email.click_count)],
    ["Tracking", `opens ${email.tracking.open ? "on" : "off"}, clicks ${email.tracking.click ? "on" : "off"}`],
  ];
  return (
    <section aria-labelledby="email-title">
      <p><a href="#/emails">← Emails</a></p>
      <h1 id="email-title">{email.subject || "(no subject)"}</h1>
      <Problem error={error} />
      <dl class="details">
        {details.map(([name, value]) => <div data-detail={name}><dt>{name}</dt><dd>{value}</dd></div>)}
      </dl>
      {email.links.length > 0 && (
        <>
          <h2>Links</h2>
          <Table caption="Clicks per link">
            <thead><tr><th scope="col">Link</th><th scope="col" class="num">Clicks</th></tr></thead>
            <tbody>{email.links.map((l) => <tr><td class="url">{l.url}</td><td class="num">{count(l.click_count)}</td></tr>)}</tbody>
          </Table>
        </>
      )}
      <h2>Timeline <small class="stream-state" data-state={stream}>{streamStates[stream]}</small></h2>
      {events.length === 0 ? <p class="empty">No events in the last 90 days.</p> : (
        <Table caption="The email's events, newest first" cards>
          <EventRows events={events} />
        </Table>
      )}
      <h2>Preview</h2>
      <p class="hint">As sent, with images and links turned off: looking at it records no open and no click.</p>
      {email.html
        ? <iframe class="preview" title="The email as sent" sandbox="" referrerpolicy="no-referrer" srcdoc={previewDocument(email.html)} />
        : <pre class="preview-text">{email.text ?? ""}</pre>}
    </section>
  );
}
