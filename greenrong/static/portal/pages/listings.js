// 技术交易: full-text search of technology listings with facets, highlights, suggestions while
// typing and paging, all in the URL:
//   ?q=光伏&domain=CLEAN_ENERGY,WATER&region=510100&maturity=4-6&price=gte500w&mode=TRANSFER
//   &sort=NEWEST&after=<cursor>&trail=<earlier cursors, comma-separated>
// and a listing's page, with its buyer matches for its owner.
import { useEffect, useRef, useState } from 'preact/hooks';
import { gql } from '../client.js';
import {
  arrowKeys, count, day, Failure, html, label, Link, Loading, navigate, useRendered, useView,
  withParams, yuan,
} from '../ui.js';

export const PAGE_SIZE = 10;
// facet field -> URL parameter
const FACET_PARAMS = { domain: 'domain', region: 'region', maturity: 'maturity', askingPrice: 'price', tradeMode: 'mode', status: 'status' };
const SORTS = [['RELEVANCE', '相关度'], ['NEWEST', '最新'], ['PRICE_ASC', '价格从低到高'], ['PRICE_DESC', '价格从高到低'], ['MATURITY_DESC', '成熟度']];

function list(params, name) {
  return (params.get(name) || '').split(',').filter(Boolean);
}

// 4-6 -> {min: 4, max: 6}
function intBand(value) {
  const [min, max] = value.split('-').map(Number);
  return { min, max };
}

// lt10w, 10w-50w, gte500w (万元) -> {min, max} in yuan
function moneyBand(value) {
  const yuanOf = (text) => String(Number(text.replace('w', '')) * 10000);
  if (value.startsWith('lt')) return { max: yuanOf(value.slice(2)) };
  if (value.startsWith('gte')) return { min: yuanOf(value.slice(3)) };
  const [min, max] = value.split('-');
  return { min: yuanOf(min), max: yuanOf(max) };
}

export function searchFilter(params) {
  const filter = {};
  for (const field of ['domain', 'region', 'tradeMode', 'status']) {
    const values = list(params, FACET_PARAMS[field]);
    if (values.length) filter[field] = values;
  }
  if (params.get('maturity')) filter.maturity = intBand(params.get('maturity'));
  if (params.get('price')) filter.askingPrice = moneyBand(params.get('price'));
  return filter;
}

export function searchVariables(params) {
  return {
    query: params.get('q') || null,
    filter: searchFilter(params),
    sort: params.get('sort') || null,
    first: PAGE_SIZE,
    after: params.get('after') || null,
  };
}

function Facets({ facets, params }) {
  const toggle = (field, value) => {
    const name = FACET_PARAMS[field];
    let next;
    if (field === 'maturity' || field === 'askingPrice') next = params.get(name) === value ? null : value;
    else {
      const values = list(params, name);
      next = (values.includes(value) ? values.filter((v) => v !== value) : [...values, value]).join(',');
    }
    navigate(withParams({ [name]: next, after: null, trail: null }));
  };
  return html`<aside class="facets" aria-label="分面筛选">
    ${facets.map((facet) => {
      const name = FACET_PARAMS[facet.field];
      if (!name) return null;
      const chosen = facet.field === 'maturity' || facet.field === 'askingPrice' ? [params.get(name)] : list(params, name);
      return html`<fieldset class="facet" data-facet=${facet.field}><legend>${facet.label}</legend>
        ${facet.buckets.map((b) => html`<button type="button" class=${chosen.includes(b.value) ? 'bucket chosen' : 'bucket'}
          aria-pressed=${chosen.includes(b.value)} data-value=${b.value} disabled=${b.count === 0 && !chosen.includes(b.value)}
          onClick=${() => toggle(facet.field, b.value)}>${b.label} <span class="count">${count(b.count)}</span></button>`)}
      </fieldset>`;
    })}
  </aside>`;
}

// Suggestions while typing (ListingSuggest), with the arrow keys and Enter.
function SearchBox({ params }) {
  const [text, setText] = useState(params.get('q') || '');
  const [items, setItems] = useState([]);
  const [active, setActive] = useState(-1);
  const timer = useRef(null);
  useEffect(() => setText(params.get('q') || ''), [params.get('q')]);
  const go = (q) => {
    setItems([]);
    navigate(withParams({ q: q.trim(), after: null, trail: null, sort: null }));
  };
  const onInput = (event) => {
    const value = event.currentTarget.value;
    setText(value);
    setActive(-1);
    clearTimeout(timer.current);
    if (!value.trim()) {
      setItems([]);
      return;
    }
    timer.current = setTimeout(() => {
      gql('ListingSuggest', { prefix: value.trim() })
        .then(({ data }) => setItems(data.suggest.items ?? []))
        .catch(() => setItems([]));
    }, 150);
  };
  const onKeyDown = (event) => {
    if (event.key === 'ArrowDown' && items.length) {
      event.preventDefault();
      setActive((active + 1) % items.length);
    } else if (event.key === 'ArrowUp' && items.length) {
      event.preventDefault();
      setActive(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === 'Escape') {
      setItems([]);
    } else if (event.key === 'Enter' && active >= 0 && items[active]) {
      event.preventDefault();
      go(items[active].text);
    }
  };
  return html`<form class="search" role="search" onSubmit=${(e) => { e.preventDefault(); go(text); }}>
    <div class="combo">
      <input type="search" name="q" aria-label="搜索技术成果" autocomplete="off" role="combobox"
        aria-expanded=${items.length > 0} aria-controls="suggestions"
        aria-activedescendant=${active >= 0 ? `suggestion-${active}` : undefined}
        value=${text} onInput=${onInput} onKeyDown=${onKeyDown} placeholder="例如 光伏、污水处理、储能" />
      ${items.length > 0 && html`<ul id="suggestions" role="listbox" class="suggestions">
        ${items.map((item, i) => html`<li id=${`suggestion-${i}`} role="option" aria-selected=${i === active}
          class=${i === active ? 'active' : ''} onMouseDown=${(e) => { e.preventDefault(); go(item.text); }}>${item.text}</li>`)}
      </ul>`}
    </div>
    <button type="submit">搜索</button>
  </form>`;
}

// <em>-marked snippet from the API (the rest HTML-escaped by the server)
function Snippet({ html: markup }) {
  return html`<span class="snippet" dangerouslySetInnerHTML=${{ __html: markup }}></span>`;
}

function SavedSearches({ params, viewer }) {
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState(null);
  const view = useView('SavedSearches', {}, `saved:${version}`, Boolean(viewer));
  if (!viewer) return html`<p class="muted">登录后可保存搜索，新成果匹配时收到提醒。</p>`;
  const save = async () => {
    const name = params.get('q') || '全部技术成果';
    const { data } = await gql('SaveSearch', {
      input: { entity: 'TECHNOLOGY_LISTING', query: params.get('q') || null, filter: searchFilter(params), name },
    }, { mutation: true });
    const result = data.saveSearch;
    setMessage(result.__typename === 'SavedSearchSuccess' ? `已保存：${result.savedSearch.name}` : result.message);
    setVersion(version + 1);
  };
  return html`<section class="saved" aria-label="保存的搜索">
    <button type="button" onClick=${save}>保存搜索</button>
    ${message && html`<span class="notice" role="status">${message}</span>`}
    ${view.data && html`<h3>我的保存搜索（${view.data.savedSearches.totalCount}）</h3>
      <ul>${view.data.savedSearches.edges.map(({ node: s }) => html`<li>
        ${s.name} <span class="meta">${s.status === 'ACTIVE' ? '提醒中' : '已暂停'} · 提醒 ${s.alertCount} 条 · ${day(s.createdAt)}</span>
      </li>`)}</ul>`}
  </section>`;
}

function Pager({ params, pageInfo }) {
  const trail = list(params, 'trail');
  const after = params.get('after');
  const previous = after !== null
    ? withParams({ after: trail.length ? trail[trail.length - 1] : null, trail: trail.slice(0, -1).join(',') || null }) : null;
  const next = pageInfo.hasNextPage
    ? withParams({ after: pageInfo.endCursor, trail: after ? [...trail, after].join(',') : null }) : null;
  return html`<nav class="pager" aria-label="分页">
    ${previous ? html`<${Link} href=${previous} rel="prev">上一页<//>` : html`<span class="disabled">上一页</span>`}
    ${next ? html`<${Link} href=${next} rel="next">下一页<//>` : html`<span class="disabled">下一页</span>`}
  </nav>`;
}

export function ListingSearch({ search, viewer, catalog }) {
  const params = new URLSearchParams(search);
  const view = useView('ListingSearch', searchVariables(params), search);
  useRendered(catalog && !view.loading && (view.data || view.error));
  if (!catalog) return html`<${Loading} />`;
  const result = view.data?.searchTechnologyListings;
  return html`<section class="listings">
    <h1>技术交易</h1>
    <${SearchBox} params=${params} />
    <div class="toolbar">
      <label>排序 <select name="sort" onChange=${(e) => navigate(withParams({ sort: e.currentTarget.value, after: null, trail: null }))}>
        <option value="">默认</option>
        ${SORTS.map(([v, t]) => html`<option value=${v} selected=${params.get('sort') === v}>${t}</option>`)}
      </select></label>
      <${SavedSearches} params=${params} viewer=${viewer} />
    </div>
    ${view.error && html`<${Failure} error=${view.error} />`}
    ${view.loading && html`<${Loading} />`}
    ${result?.__typename === 'SearchUnavailable' && html`<p class="failure" role="alert">搜索暂不可用：${result.message}</p>`}
    ${result?.__typename === 'TechnologyListingSearchConnection' && html`<div class="search-layout">
      <${Facets} facets=${result.facets} params=${params} />
      <div>
        <p class="total" aria-live="polite">共 <strong data-total=${result.totalCount}>${count(result.totalCount)}</strong> 项技术成果</p>
        <ol class="results" onKeyDown=${arrowKeys} aria-label="技术成果">
          ${result.edges.map(({ node, highlights }) => {
            const title = highlights.find((x) => x.field === 'title')?.snippets[0];
            const body = highlights.find((x) => x.field === 'description')?.snippets[0];
            return html`<li>
              <${Link} href=${`/listings/${encodeURIComponent(node.id)}`} data-item>${title ? html`<${Snippet} html=${title} />` : node.title}<//>
              <p class="excerpt">${body ? html`<${Snippet} html=${body} />` : node.description.slice(0, 90)}</p>
              <span class="meta">${label(catalog, 'TechnologyDomain', node.domain)} · TRL ${node.maturity} ·
                ${label(catalog, 'TradeMode', node.tradeMode)} · ${node.askingPrice ? yuan(node.askingPrice) : '面议'} ·
                ${node.region?.name} · ${node.ownerEnterprise?.name ?? node.ownerInstitution?.name ?? ''}</span>
            </li>`;
          })}
        </ol>
        ${result.edges.length === 0 && html`<p class="muted">没有找到匹配的技术成果。</p>`}
        <${Pager} params=${params} pageInfo=${result.pageInfo} />
      </div>
    </div>`}
  </section>`;
}

export function ListingPage({ params: [id], viewer, catalog }) {
  // buyer matches are for the listing's owner (and admins): a signed-in enterprise or
  // institution asks for them, and the page shows them when the listing is its own
  const withBuyers = Boolean(viewer && ['ENTERPRISE', 'INSTITUTION', 'ADMIN'].includes(viewer.role));
  const view = useView('ListingDetail', { id, withBuyers }, `${id}:${withBuyers}`);
  useRendered(catalog && !view.loading && (view.data || view.error));
  if (!catalog) return html`<${Loading} />`;
  if (view.error) return html`<${Failure} error=${view.error} />`;
  if (view.loading) return html`<${Loading} />`;
  const l = view.data.node;
  if (!l) return html`<p>没有这项技术成果，或您无权查看。<${Link} href="/listings">返回技术交易<//></p>`;
  const owner = l.ownerEnterprise ?? l.ownerInstitution;
  const buyers = l.buyerMatches?.edges ?? [];
  const buyersRefused = view.errors.some((e) => (e.path || []).includes('buyerMatches'));
  const mine = viewer?.role === 'ADMIN' || (viewer?.orgId && viewer.orgId === owner?.id);
  return html`<article class="listing">
    <p class="crumbs"><${Link} href="/listings">技术交易<//> / ${l.title}</p>
    <h1>${l.title}</h1>
    <dl class="profile">
      <dt>技术领域</dt><dd>${label(catalog, 'TechnologyDomain', l.domain)}</dd>
      <dt>成熟度</dt><dd>TRL ${l.maturity}</dd>
      <dt>交易方式</dt><dd>${label(catalog, 'TradeMode', l.tradeMode)}</dd>
      <dt>报价</dt><dd>${l.askingPrice ? yuan(l.askingPrice) : '面议'}</dd>
      <dt>地区</dt><dd>${l.region?.name}</dd>
      <dt>状态</dt><dd>${label(catalog, 'ListingStatus', l.status)}</dd>
      <dt>发布方</dt><dd>${l.ownerEnterprise ? html`<${Link} href=${`/enterprises/${encodeURIComponent(l.ownerEnterprise.id)}`}>${owner.name}<//>` : owner?.name}</dd>
    </dl>
    <p class="description">${l.description}</p>
    ${withBuyers && mine && html`<section class="buyers"><h2>潜在买方</h2>
      ${buyersRefused ? html`<p class="muted">潜在买方仅对成果发布方可见。</p>`
        : buyers.length ? html`<ol class="matches">${buyers.map((b) => html`<li>
          <strong>${b.node.__typename === 'TechnologyNeed' ? `需求：${b.node.title}` : `企业：${b.node.enterprise?.name}`}</strong>
          ${b.node.__typename === 'TechnologyNeed' && b.node.enterprise && html` · ${b.node.enterprise.name}`}
          <ul class="reasons">${b.reasons.map((r) => html`<li>${r.message}</li>`)}</ul></li>`)}</ol>`
        : html`<p class="muted">暂无匹配的买方。</p>`}
    </section>`}
  </article>`;
}
