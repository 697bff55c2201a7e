// Chart.js (vendored UMD build), loaded on first use only: pages without charts never pay for it.
import { useEffect, useRef } from 'preact/hooks';
import { html } from './ui.js';

const SRC = '/static/portal/vendor/chart.js@4.6.2/dist/chart.umd.min.js';
const INTEGRITY = 'sha384-wFIO1nJgUOP2XDesMi2Xqyej8+jLnzOfBrJbdvz7Pp+UI88xOiL08fKFupi2KqR0';
let loading = null;

function loadChartJs() {
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = SRC;
    script.integrity = INTEGRITY;
    script.onload = () => resolve(window.Chart);
    script.onerror = () => reject(new Error('Chart.js did not load'));
    document.head.append(script);
  });
  return loading;
}

export const PALETTE = ['#2f855a', '#3182ce', '#d69e2e', '#805ad5', '#dd6b20', '#319795', '#e53e3e'];

// <Chart config=${chart.js config} label="…"/>: a canvas with an accessible name.
export function Chart({ config, label: name }) {
  const canvas = useRef(null);
  useEffect(() => {
    let chart = null;
    let live = true;
    loadChartJs().then((ChartJs) => {
      if (!live) return;
      chart = new ChartJs(canvas.current, {
        ...config,
        options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
      });
      canvas.current.dataset.drawn = 'true';
    });
    return () => {
      live = false;
      chart?.destroy();
    };
  }, [JSON.stringify(config.data)]);
  return html`<div class="chart"><canvas ref=${canvas} role="img" aria-label=${name}></canvas></div>`;
}
