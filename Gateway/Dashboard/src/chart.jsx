// Chart.js draws the series; only the parts a line chart needs are bundled.
import { useEffect, useRef } from "preact/hooks";
import { Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler } from "chart.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

/** A line per series over the same labels; the description is what a screen reader hears instead. */
export function LineChart({ labels, series, description }) {
  const canvas = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    chart.current = new Chart(canvas.current, {
      type: "line",
      data: { labels: [], datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { autoSkip: true, maxRotation: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
    return () => chart.current.destroy();
  }, []);
  useEffect(() => {
    chart.current.data.labels = labels;
    chart.current.data.datasets = series.map((s) => ({
      label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color, pointRadius: labels.length > 48 ? 0 : 2,
      borderDash: s.dashed ? [6, 4] : undefined,
    }));
    chart.current.update();
  }, [labels, series]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={description} />
    </div>
  );
}
