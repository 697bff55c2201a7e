// 首页: the platform's figures (platformStatistics), two charts, the libraries' shares, search.
import { useState } from 'preact/hooks';
import { Chart, PALETTE } from '../charts.js';
import { Failure, html, label, Loading, navigate, count, yuan, useRendered, useView } from '../ui.js';

function Figures({ stats }) {
  const figures = [
    ['绿色企业', count(stats.enterpriseCount), '家'],
    ['金融机构', count(stats.institutionCount), '家'],
    ['金融产品', count(stats.productCount), '款'],
    ['专家', count(stats.expertCount), '位'],
    ['技术成果', count(stats.listingCount), '项'],
    ['融资需求', yuan(stats.demandReceivedTotal), ''],
    ['促成融资', yuan(stats.financingFacilitatedTotal), ''],
    ['对接服务', count(stats.matchingServiceCount), '次'],
  ];
  return html`<ul class="figures">
    ${figures.map(([name, value, unit]) => html`<li><span class="figure-name">${name}</span>
      <strong>${value}</strong><small>${unit}</small></li>`)}
  </ul>`;
}

function DemandByYear({ stats }) {
  const years = [...new Set([...stats.demandReceivedByYear, ...stats.financingFacilitatedByYear].map((y) => y.year))].sort();
  if (!years.length) return html`<p class="muted">您可见的数据中没有融资需求（公众不可见融资需求，登录后查看）。</p>`;
  const amountOf = (rows, year) => Number(rows.find((r) => r.year === year)?.amount ?? 0) / 1e8;
  const config = {
    type: 'bar',
    data: {
      labels: years.map(String),
      datasets: [
        { label: '融资需求（亿元）', data: years.map((y) => amountOf(stats.demandReceivedByYear, y)), backgroundColor: PALETTE[1] },
        { label: '促成融资（亿元）', data: years.map((y) => amountOf(stats.financingFacilitatedByYear, y)), backgroundColor: PALETTE[0] },
      ],
    },
  };
  return html`<${Chart} config=${config} label="按年份的融资需求与促成融资" />`;
}

function ByCategory({ stats, catalog }) {
  const rows = stats.enterprisesByGreenCategory;
  const config = {
    type: 'doughnut',
    data: {
      labels: rows.map((r) => label(catalog, 'GreenCategory', r.category)),
      datasets: [{ data: rows.map((r) => r.count), backgroundColor: PALETTE }],
    },
    options: { plugins: { legend: { position: 'right' } } },
  };
  return html`<${Chart} config=${config} label="按绿色产业类别的企业数" />`;
}

function Libraries({ stats, catalog }) {
  return html`<table class="libraries">
    <thead><tr><th>名单库</th><th>在库</th><th>按绿色产业类别的占比</th></tr></thead>
    <tbody>${stats.libraries.map((lib) => html`<tr>
      <th scope="row">${label(catalog, 'Library', lib.library)}</th>
      <td>${count(lib.count)}</td>
      <td><div class="shares" aria-label="占比">
        ${lib.byGreenCategory.filter((s) => s.sharePercent > 0).map((s, i) => html`<span
          style=${`width:${s.sharePercent}%;background:${PALETTE[i % PALETTE.length]}`}
          title=${`${label(catalog, 'GreenCategory', s.category)} ${s.sharePercent}%`}>${s.sharePercent >= 8 ? `${s.sharePercent}%` : ''}</span>`)}
      </div></td>
    </tr>`)}</tbody>
  </table>`;
}

function SearchBox() {
  const [text, setText] = useState('');
  const submit = (event) => {
    event.preventDefault();
    navigate(`/listings?q=${encodeURIComponent(text.trim())}`);
  };
  return html`<form class="search" role="search" onSubmit=${submit}>
    <input type="search" name="q" aria-label="搜索技术成果" placeholder="搜索技术成果，例如 光伏、污水处理"
      value=${text} onInput=${(e) => setText(e.currentTarget.value)} />
    <button type="submit">搜索</button>
  </form>`;
}

export function HomePage({ catalog }) {
  const view = useView('HomePage', {}, 'home');
  useRendered(catalog && !view.loading && (view.data || view.error));
  if (!catalog) return html`<${Loading} />`;
  return html`<section class="home">
    <h1>绿色金融综合服务平台</h1>
    <${SearchBox} />
    ${view.error && html`<${Failure} error=${view.error} />`}
    ${view.loading && !view.data && html`<${Loading} />`}
    ${view.data && html`
      <${Figures} stats=${view.data.platformStatistics} />
      <div class="panels">
        <section class="panel"><h2>融资需求与促成融资（按年份）</h2>
          <${DemandByYear} stats=${view.data.platformStatistics} /></section>
        <section class="panel"><h2>绿色企业（按产业类别）</h2>
          <${ByCategory} stats=${view.data.platformStatistics} catalog=${catalog} /></section>
      </div>
      <section class="panel"><h2>名单库</h2>
        <${Libraries} stats=${view.data.platformStatistics} catalog=${catalog} /></section>`}
  </section>`;
}
