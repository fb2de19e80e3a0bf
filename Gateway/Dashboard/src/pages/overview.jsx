// Overview: the project's figures over 1, 7, 30 or 90 days, their series, and the links clicked most.
import { useState } from "preact/hooks";
import { api, query } from "../api.js";
import { useLoad, Problem, Table, Loading } from "../ui.jsx";
import { LineChart } from "../chart.jsx";
import { navigate } from "../route.js";
import { count, percent, bucket } from "../format.js";

const periods = [1, 7, 30, 90];
// Each figure, and beside it the same of people alone (machines left out), where it differs.
const figures = [
  ["sent", "Sent", count], ["delivered", "Delivered", count],
  ["opens", "Opens", count, "human_opens"], ["unique_opens", "Unique opens", count, "unique_human_opens"],
  ["clicks", "Clicks", count, "human_clicks"], ["unique_clicks", "Unique clicks", count, "unique_human_clicks"],
  ["open_rate", "Open rate", percent, "human_open_rate"], ["click_rate", "Click rate", percent, "human_click_rate"],
  ["click_to_open_rate", "Click-to-open rate", percent, "human_click_to_open_rate"],
];

// Why an open or a click counts as a machine's, in a line each.
const reasons = [
  ["machine_opens", "apple_privacy_proxy", "opens", "Apple Mail Privacy Protection: Apple's proxy fetches every image when the email arrives, read or not."],
  ["machine_opens", "prefetch", "opens", "Prefetch: Gmail fetching images before anyone looks, or a program (not a mail client) fetching the pixel."],
  ["machine_clicks", "link_scanner", "clicks", "Link scanners: mail security gateways and programs that follow links to check them (HEAD requests, known agents)."],
];

export function Overview({ params }) {
  const days = periods.includes(Number(params.get("days"))) ? Number(params.get("days")) : 7;
  const groupBy = params.get("group_by") === "hour" || (params.get("group_by") !== "day" && days === 1) ? "hour" : "day";
  const tag = params.get("tag") ?? "";
  const broadcast = params.get("broadcast_id") ?? "";
  const filter = { days, group_by: groupBy, tag, broadcast_id: broadcast };
  const [kind, setKind] = useState(broadcast ? "broadcast" : "tag");
  const [value, setValue] = useState(broadcast || tag);
  const { data, error, loading } = useLoad(async () => {
    const q = query(filter);
    const [metrics, links, clients] = await Promise.all([api(`/v1/metrics${q}`), api(`/v1/metrics/links${q}`), api(`/v1/metrics/clients${q}`)]);
    return { metrics, links: links.data, clients: clients.data };
  }, [days, groupBy, tag, broadcast]);

  function change(e) {
    const form = new FormData(e.currentTarget.form ?? e.currentTarget);
    navigate("overview", {
      days: form.get("days"), group_by: form.get("group_by"),
      tag: kind === "tag" ? value.trim() : "", broadcast_id: kind === "broadcast" ? value.trim() : "",
    });
  }

  const labels = data?.metrics.series.map((b) => bucket(b.start, groupBy)) ?? [];
  const series = data ? [
    { label: "Opens", data: data.metrics.series.map((b) => b.figures.opens), color: "#1d4ed8" },
    { label: "Opens by people", data: data.metrics.series.map((b) => b.figures.human_opens), color: "#0f766e", dashed: true },
    { label: "Clicks", data: data.metrics.series.map((b) => b.figures.clicks), color: "#b45309" },
  ] : [];
  const topLinks = (data?.links ?? []).slice().sort((a, b) => b.clicks - a.clicks).slice(0, 10);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); change(e); }}>
        <label>Period
          <select name="days" value={days} onChange={change}>
            {periods.map((d) => <option value={d}>{d === 1 ? "Last 24 hours" : `Last ${d} days`}</option>)}
          </select>
        </label>
        <label>Series by
          <select name="group_by" value={groupBy} onChange={change}>
            <option value="hour">Hour</option>
            <option value="day">Day</option>
          </select>
        </label>
        <label>Filter
          <select name="filter_kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="tag">Tag (name:value)</option>
            <option value="broadcast">Broadcast id</option>
          </select>
        </label>
        <label>Value
          <input name="filter_value" type="search" value={value} onInput={(e) => setValue(e.currentTarget.value)} placeholder="e.g. campaign:welcome" spellcheck={false} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <Problem error={error} />
      <Loading when={loading && !data} />
      {data && (
        <>
          <dl class="figures" aria-live="polite">
            {figures.map(([name, title, show, human]) => (
              <div class="figure" data-figure={name}>
                <dt>{title}</dt>
                <dd>{show(data.metrics.totals[name])}</dd>
                {human && <dd class="human" data-human={human}>{show(data.metrics.totals[human])} <span>by people</span></dd>}
              </div>
            ))}
          </dl>
          <h2>Machines</h2>
          <ul class="reasons">
            {reasons.map(([group, reason, what, line]) => (
              <li data-reason={reason}>
                <strong>{count(data.metrics.totals[group][reason])} {what}</strong> {line}
              </li>
            ))}
          </ul>
          <h2>Opens and clicks per {groupBy}</h2>
          <LineChart labels={labels} series={series}
            description={`Opens and clicks per ${groupBy}, UTC: ${count(data.metrics.totals.opens)} opens and ${count(data.metrics.totals.clicks)} clicks in all.`} />
          <h2>Clients</h2>
          {data.clients.length === 0 ? <p class="empty">No opens or clicks in this period.</p> : (
            <Table caption="Opens and clicks by client" cards>
              <thead>
                <tr><th scope="col">Client</th><th scope="col">System</th><th scope="col">Device</th>
                  <th scope="col" class="num">Opens (by people)</th><th scope="col" class="num">Clicks (by people)</th></tr>
              </thead>
              <tbody>
                {data.clients.slice(0, 15).map((c) => (
                  <tr data-client={c.name}>
                    <td>{c.name}</td><td data-label="System">{c.os}</td><td data-label="Device">{c.device}</td>
                    <td class="num" data-label="Opens">{count(c.opens)} ({count(c.human_opens)})</td>
                    <td class="num" data-label="Clicks">{count(c.clicks)} ({count(c.human_clicks)})</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <h2>Top links</h2>
          {topLinks.length === 0 ? <p class="empty">No clicks in this period.</p> : (
            <Table caption="Links clicked most">
              <thead><tr><th scope="col">Link</th><th scope="col" class="num">Clicks</th><th scope="col" class="num">Unique clicks</th></tr></thead>
              <tbody>
                {topLinks.map((l) => (
                  <tr><td class="url">{l.url}</td><td class="num">{count(l.clicks)}</td><td class="num">{count(l.unique_clicks)}</td></tr>
                ))}
              </tbody>
            </Table>
          )}
        </>
      )}
    </section>
  );
}
