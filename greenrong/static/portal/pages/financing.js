// 融资对接: an enterprise sees its demands with ranked product matches, their reasons and near
// misses; an institution sees its products with the demands that fit them, and starts a match.
import { useState } from 'preact/hooks';
import { gql, refusal } from '../client.js';
import {
  count, day, Failure, Guarded, html, label, Link, Loading, percent, useRendered, useView, withParams, yuan,
} from '../ui.js';

// five demands (or products) a view: each brings its ranked matches, the costly part
function Pager({ search, pageInfo }) {
  const after = new URLSearchParams(search).get('after');
  return html`<nav class="pager" aria-label="分页">
    ${after ? html`<${Link} href=${withParams({ after: null })} rel="first">第一页<//>` : html`<span class="disabled">第一页</span>`}
    ${pageInfo.hasNextPage ? html`<${Link} href=${withParams({ after: pageInfo.endCursor })} rel="next">下一页<//>` : html`<span class="disabled">下一页</span>`}
  </nav>`;
}

function Reasons({ reasons }) {
  return html`<ul class="reasons">${reasons.filter((r) => r.code !== 'ELIGIBLE' && r.code !== 'GENERAL')
    .map((r) => html`<li data-code=${r.code}>${r.message}</li>`)}</ul>`;
}

function EnterpriseView({ viewer, catalog, search }) {
  const after = new URLSearchParams(search).get('after');
  const view = useView('FinancingEnterprise', { orgId: viewer.orgId, after }, `${viewer.orgId}:${after}`);
  useRendered(catalog && !view.loading && (view.data || view.error));
  if (!catalog) return html`<${Loading} />`;
  if (view.error) return html`<${Failure} error=${view.error} />`;
  if (view.loading) return html`<${Loading} />`;
  const demands = view.data.node?.financingDemands;
  if (!demands) return html`<p class="muted">没有找到您的企业。</p>`;
  return html`<p class="total">共 <strong data-total=${demands.totalCount}>${count(demands.totalCount)}</strong> 笔融资需求</p>
    ${demands.edges.map(({ node: d }) => {
      const matches = d.productMatches;
      return html`<section class="demand panel">
        <h2>${yuan(d.amount)} · ${d.termMonths} 个月 <small>${label(catalog, 'DemandStatus', d.status)} · ${day(d.submittedAt)}</small></h2>
        <p>${d.project?.title ?? ''} ${d.purpose && html`<span class="muted">用途：${d.purpose}</span>`}</p>
        ${matches.__typename === 'SearchUnavailable' ? html`<p class="failure">匹配暂不可用：${matches.message}</p>` : html`
          <h3>匹配的金融产品（${matches.totalCount}）</h3>
          <ol class="matches">${matches.edges.map((m) => html`<li>
            <strong>${m.rank}. ${m.node.name}</strong> · ${m.node.institution?.name} · ${label(catalog, 'ProductKind', m.node.kind)}
            · 利率 ${percent(m.node.minRate)}–${percent(m.node.maxRate)}
            <${Reasons} reasons=${m.reasons} />
          </li>`)}</ol>
          ${matches.nearMisses?.length > 0 && html`<h3>差一点符合</h3><ul class="near-misses">
            ${matches.nearMisses.map((n) => html`<li><strong>${n.node.name}</strong> · ${n.node.institution?.name}：${n.message}</li>`)}</ul>`}`}
      </section>`;
    })}
    <${Pager} search=${search} pageInfo=${demands.pageInfo} />`;
}

function StartMatch({ demandId, productId }) {
  const [state, setState] = useState(null);
  const start = async () => {
    setState({ busy: true });
    try {
      const { data } = await gql('StartMatch', { input: { demandId, productId } }, { mutation: true });
      const payload = data.startMatch;
      setState(payload.__typename === 'FinancingMatchSuccess' ? { done: '已发起对接' } : { problem: payload.message });
    } catch (error) {
      setState({ problem: error.message });
    }
  };
  if (state?.done) return html`<span class="tag" role="status">${state.done}</span>`;
  return html`<button type="button" disabled=${state?.busy} onClick=${start}>发起对接</button>
    ${state?.problem && html`<span class="failure" role="alert">${state.problem}</span>`}`;
}

function InstitutionView({ viewer, catalog, search }) {
  const after = new URLSearchParams(search).get('after');
  const view = useView('FinancingInstitution', { orgId: viewer.orgId, after }, `${viewer.orgId}:${after}`);
  useRendered(catalog && !view.loading && (view.data || view.error));
  if (!catalog) return html`<${Loading} />`;
  if (view.error) return html`<${Failure} error=${view.error} />`;
  if (view.loading) return html`<${Loading} />`;
  const products = view.data.node?.products;
  if (!products) return html`<p class="muted">没有找到您的机构。</p>`;
  return html`<p class="total">共 <strong data-total=${products.totalCount}>${count(products.totalCount)}</strong> 款金融产品</p>
    ${products.edges.map(({ node: p }, i) => html`<section class="product panel">
      <h2>${p.name} <small>${label(catalog, 'ProductKind', p.kind)} · ${yuan(p.minAmount)}–${yuan(p.maxAmount)}${p.active ? '' : ' · 已下架'}</small></h2>
      <h3>匹配的融资需求（${count(p.demandMatches.totalCount)}）</h3>
      <ol class="matches">${p.demandMatches.edges.map((m, j) => {
        const path = ['node', 'products', 'edges', i, 'node', 'demandMatches', 'edges', j, 'node', 'purpose'];
        return html`<li>
          <strong>${m.rank}. ${m.node.enterprise ? html`<${Link} href=${`/enterprises/${encodeURIComponent(m.node.enterprise.id)}`}>${m.node.enterprise.name}<//>` : '—'}</strong>
          · ${yuan(m.node.amount)} · ${m.node.termMonths} 个月
          <div class="purpose">用途：<${Guarded} refused=${refusal(view.errors, path)} value=${m.node.purpose} /></div>
          <${Reasons} reasons=${m.reasons} />
          ${m.uncheckedRules.length > 0 && html`<p class="muted">未核对（需企业授权）：${m.uncheckedRules.map((r) => label(catalog, 'EligibilityRule', r)).join('、')}</p>`}
          <${StartMatch} demandId=${m.node.id} productId=${p.id} />
        </li>`;
      })}</ol>
    </section>`)}
    <${Pager} search=${search} pageInfo=${products.pageInfo} />`;
}

export function FinancingPage({ viewer, catalog, search }) {
  let body;
  if (viewer?.role === 'ENTERPRISE' && viewer.orgId) body = html`<${EnterpriseView} viewer=${viewer} catalog=${catalog} search=${search} />`;
  else if (viewer?.role === 'INSTITUTION' && viewer.orgId) body = html`<${InstitutionView} viewer=${viewer} catalog=${catalog} search=${search} />`;
  else body = html`<${Explainer} viewer=${viewer} />`;
  return html`<section class="financing"><h1>融资对接</h1>${body}</section>`;
}

function Explainer({ viewer }) {
  useRendered(true);
  return html`<p class="notice" data-explainer>${viewer
    ? '融资对接面向企业和金融机构：请使用企业或金融机构的 API 密钥登录。'
    : '融资需求不向公众公开。企业登录后查看其融资需求与匹配的金融产品；金融机构登录后查看与其产品匹配的融资需求并发起对接。'}</p>`;
}
