// How the dashboard writes numbers and times: times in UTC, as the API and its figures count them.
const integer = new Intl.NumberFormat("en-US");

export const count = (n) => integer.format(n ?? 0);
export const percent = (n) => `${Number(n ?? 0).toFixed(2)}%`;
export const time = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : "—");
export const list = (values) => (values?.length ? values.join(", ") : "—");
export const tags = (values) => (values?.length ? values.map((t) => `${t.name}:${t.value}`).join(", ") : "—");

/** A bucket's label on the chart's axis: the day, or the hour (with its day at midnight). */
export function bucket(iso, groupBy) {
  if (groupBy === "day") return iso.slice(5, 10);
  const hour = iso.slice(11, 16);
  return hour === "00:00" ? `${iso.slice(5, 10)} ${hour}` : hour;
}
