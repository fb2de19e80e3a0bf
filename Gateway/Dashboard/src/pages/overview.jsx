// Overview: the project's figures over 1, 7, 30 or 90 days, their series, and the links clicked most.
import { useState } from "preact/hooks";
import { api, query } from "../api.js";
import { useLoad, Problem, Table, Loading } from "../ui.jsx";
import { LineChart } from "../chart.jsx";
import { navigate } from "../route.js";
import { count, percent, bucket } from "../format.js";

const periods = [1, 7, 30, 90];
const figures = [
  ["sent", "Sent", count], ["delivered", "Delivered", count],
  ["opens", "Opens", count], ["unique_opens", "Unique opens", count],
  ["clicks", "Clicks", count], ["unique_clicks", "Unique clicks", count],
  ["open_rate", "Open rate", percent], ["click_rate", "Click rate", percent],
  ["click_to_open_rate", "Click-to-open rate", percent],
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
    const [metrics, links] = await Promise.all([api(`/v1/metrics${q}`), api(`/v1/metrics/links${q}`)]);
    return { metrics, links: links.data };
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
            {figures.map(([name, title, show]) => (
              <div class="figure" data-figure={name}>
                <dt>{title}</dt>
                <dd>{show(data.metrics.totals[name])}</dd>
              </div>
            ))}
          </dl>
          <h2>Opens and clicks per {groupBy}</h2>
          <LineChart labels={labels} series={series}
            description={`Opens and clicks per ${groupBy}, UTC: ${count(data.metrics.totals.opens)} opens and ${count(data.metrics.totals.clicks)} clicks in all.`} />
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
