// Privacy: what the project keeps of each open and click, and the recipients who are not tracked.
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { useLoad, useAction, Problem, Table, Loading } from "../ui.jsx";
import { time } from "../format.js";

function Settings() {
  const { data, error, reload } = useLoad(() => api("/v1/privacy"), []);
  const [failure, run] = useAction();
  const [saved, setSaved] = useState(false);
  function save(e) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    run(async () => {
      await api("/v1/privacy", {
        method: "PATCH",
        body: {
          ip_storage: form.get("ip_storage"), keep_user_agent: form.get("keep_user_agent") === "on", keep_referer: form.get("keep_referer") === "on",
          retention_days: Number(form.get("retention_days")), content_retention_days: Number(form.get("content_retention_days")),
        },
      });
      setSaved(true);
      reload();
    });
  }
  if (!data) return <><Problem error={error} /><Loading when={!error} /></>;
  return (
    <form class="stack" onSubmit={save} key={JSON.stringify(data)}>
      <label>IP address of each open and click
        <select name="ip_storage" defaultValue={data.ip_storage} onChange={() => setSaved(false)}>
          <option value="truncated">Its network only (IPv4 /24, IPv6 /48)</option>
          <option value="full">In full</option>
          <option value="none">Not kept</option>
        </select>
      </label>
      <label class="check"><input type="checkbox" name="keep_user_agent" defaultChecked={data.keep_user_agent} onChange={() => setSaved(false)} /> Keep the user agent</label>
      <label class="check"><input type="checkbox" name="keep_referer" defaultChecked={data.keep_referer} onChange={() => setSaved(false)} /> Keep the referer of clicks</label>
      <p class="hint">For opens and clicks from now on. The client and machine verdicts are made before anything is dropped.</p>
      <label>Keep events for (days)
        <input name="retention_days" type="number" min="1" max="3650" required defaultValue={data.retention_days} onInput={() => setSaved(false)} />
      </label>
      <label>Keep emails' bodies and attachments for (days)
        <input name="content_retention_days" type="number" min="1" max="3650" required defaultValue={data.content_retention_days}
          onInput={() => setSaved(false)} />
      </label>
      <p class="hint">Older ones are deleted within the hour; every email's counts and every figure stay.</p>
      <Problem error={failure} />
      <div class="actions"><button type="submit">Save</button>{saved && <span role="status">Saved.</span>}</div>
    </form>
  );
}

function OptOuts() {
  const { data, error, loading, reload } = useLoad(() => api("/v1/tracking-opt-outs?limit=100"), []);
  const [failure, run] = useAction();
  function add(e) {
    e.preventDefault();
    const formElement = e.currentTarget;
    const email = new FormData(formElement).get("email").trim();
    run(async () => {
      await api("/v1/tracking-opt-outs", { method: "POST", body: { email } });
      formElement.reset();
      reload();
    });
  }
  const remove = (email) => run(async () => {
    await api(`/v1/tracking-opt-outs/${encodeURIComponent(email)}`, { method: "DELETE" });
    reload();
  });
  return (
    <>
      <form class="filters" onSubmit={add}>
        <label>Recipient's address <input name="email" type="email" required spellcheck={false} /></label>
        <button type="submit">Stop tracking</button>
      </form>
      <Problem error={error ?? failure} />
      <Loading when={loading && !data} />
      {data && (data.data.length === 0 ? <p class="empty">Every recipient is tracked as emails ask.</p> : (
        <Table caption="Recipients not tracked" cards>
          <thead><tr><th scope="col">Address</th><th scope="col">Since</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {data.data.map((o) => (
              <tr data-opt-out={o.email}>
                <td>{o.email}</td>
                <td class="nowrap" data-label="Since">{time(o.created_at)}</td>
                <td><button type="button" class="quiet" onClick={() => remove(o.email)}>Track again</button></td>
              </tr>
            ))}
          </tbody>
        </Table>
      ))}
    </>
  );
}

export function Privacy() {
  return (
    <section aria-labelledby="privacy-title">
      <h1 id="privacy-title">Privacy</h1>
      <h2>What is kept</h2>
      <Settings />
      <h2>Recipients not tracked</h2>
      <p class="hint">Their emails go out with no pixel and no tracked link, whatever a request asks.</p>
      <OptOuts />
    </section>
  );
}
