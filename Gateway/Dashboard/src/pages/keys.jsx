// API keys: the project's keys, a new one (shown once), and revoking one.
import { useState } from "preact/hooks";
import { api, session } from "../api.js";
import { useLoad, useAction, Problem, Table, Loading } from "../ui.jsx";
import { time } from "../format.js";

export function ApiKeys() {
  const { data, error, loading, reload } = useLoad(() => api("/v1/api-keys"), []);
  const [created, setCreated] = useState(null);
  const [confirming, setConfirming] = useState(null);
  const [failure, run] = useAction();

  function create(e) {
    e.preventDefault();
    const formElement = e.currentTarget;
    const form = new FormData(formElement);
    run(async () => {
      setCreated(await api("/v1/api-keys", { method: "POST", body: { name: form.get("name").trim(), permission: form.get("permission") } }));
      formElement.reset();
      reload();
    });
  }
  const revoke = (key) => run(async () => {
    await api(`/v1/api-keys/${key.id}`, { method: "DELETE" });
    setConfirming(null);
    reload();
  });

  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <form class="filters" onSubmit={create}>
        <label>Name <input name="name" required maxLength={100} /></label>
        <label>Permission
          <select name="permission">
            <option value="full_access">Full access</option>
            <option value="sending_access">Sending only</option>
          </select>
        </label>
        <button type="submit">Create key</button>
      </form>
      {created && (
        <div class="secret" role="status">
          <p>The new key <strong>{created.name}</strong>, shown this once; keep it somewhere safe:</p>
          <code data-new-key>{created.key}</code>
          <button type="button" class="quiet" onClick={() => navigator.clipboard?.writeText(created.key)}>Copy</button>
          <button type="button" class="quiet" onClick={() => setCreated(null)}>Done</button>
        </div>
      )}
      <Problem error={error ?? failure} />
      <Loading when={loading && !data} />
      {data && (
        <Table caption="API keys in use" cards>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Permission</th><th scope="col">Key</th><th scope="col">Created</th>
              <th scope="col">Last used</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            {data.data.map((k) => (
              <tr data-key={k.name}>
                <td>{k.name}{session.key()?.startsWith(k.prefix) && <span class="hint"> (signed in here)</span>}</td>
                <td data-label="Permission">{k.permission === "full_access" ? "Full access" : "Sending only"}</td>
                <td class="nowrap" data-label="Key"><code>{k.prefix}…</code></td>
                <td class="nowrap" data-label="Created">{time(k.created_at)}</td>
                <td class="nowrap" data-label="Last used">{time(k.last_used_at)}</td>
                <td class="actions">
                  {confirming === k.id ? (
                    <>
                      <button type="button" class="danger" onClick={() => revoke(k)}>Revoke {k.name}</button>
                      <button type="button" class="quiet" onClick={() => setConfirming(null)}>Keep</button>
                    </>
                  ) : <button type="button" onClick={() => setConfirming(k.id)}>Revoke…</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
