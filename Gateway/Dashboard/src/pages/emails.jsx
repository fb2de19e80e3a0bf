// Emails: newest first, a page at a time, found by recipient, subject or tag.
import { useState } from "preact/hooks";
import { api, query } from "../api.js";
import { useLoad, Problem, Table, Loading } from "../ui.jsx";
import { navigate } from "../route.js";
import { time, list } from "../format.js";

const PageSize = 20;

export function Emails({ params }) {
  const search = params.get("search") ?? "";
  const tag = params.get("tag") ?? "";
  // The cursors of the pages before this one: "Newer" goes back along them.
  const [cursors, setCursors] = useState([]);
  const cursor = cursors[cursors.length - 1];
  const { data, error, loading } = useLoad(
    () => api(`/v1/emails${query({ limit: PageSize, search, tag, cursor })}`), [search, tag, cursor]);

  function find(e) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setCursors([]);
    navigate("emails", { search: form.get("search").trim(), tag: form.get("tag").trim() });
  }

  return (
    <section aria-labelledby="emails-title">
      <h1 id="emails-title">Emails</h1>
      <form class="filters" role="search" onSubmit={find} key={`${search}|${tag}`}>
        <label>Recipient or subject
          <input name="search" type="search" defaultValue={search} maxLength={200} spellcheck={false} />
        </label>
        <label>Tag
          <input name="tag" type="search" defaultValue={tag} placeholder="name:value" spellcheck={false} />
        </label>
        <button type="submit">Search</button>
      </form>
      <Problem error={error} />
      <Loading when={loading && !data} />
      {data && (data.data.length === 0 ? <p class="empty">No emails{search || tag ? " match" : " yet"}.</p> : (
        <Table caption="Emails, newest first" cards>
          <thead>
            <tr><th scope="col">Subject</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Created</th></tr>
          </thead>
          <tbody>
            {data.data.map((email) => (
              <tr>
                <td><a href={`#/emails/${email.id}`}>{email.subject || "(no subject)"}</a></td>
                <td data-label="To">{list(email.to)}</td>
                <td data-label="Status"><span class={`status status-${email.status}`}>{email.status}</span></td>
                <td data-label="Created" class="nowrap">{time(email.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      ))}
      <nav class="pager" aria-label="Pages of emails">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button>
        <button type="button" disabled={!data?.has_more} onClick={() => setCursors([...cursors, data.next_cursor])}>Older</button>
      </nav>
    </section>
  );
}
