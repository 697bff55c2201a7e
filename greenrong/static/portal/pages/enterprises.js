// 绿色企业: the enterprises view with its filters, sorting and cursor paging, all in the URL.
//   ?prefecture=510100&county=510104&level=GREEN&category=CLEAN_ENERGY&industry=C&name=氢能
//   &sort=NAME.ASC&after=<cursor> (or &before=<cursor>)
import {
  arrowKeys, count, day, Failure, html, label, LevelBadge, Link, Loading, navigate, useRendered,
  useView, withParams,
} from '../ui.js';

export const PAGE_SIZE = 20;
const SORTS = [
  ['NAME.ASC', '名称 A→Z'],
  ['NAME.DESC', '名称 Z→A'],
  ['CREATED_AT.DESC', '最新入驻'],
  ['CREATED_AT.ASC', '最早入驻'],
  ['REGION_CODE.ASC', '地区代码'],
];

// The view's variables from the URL's parameters.
export function directoryVariables(params) {
  const where = [];
  const county = params.get('county');
  const prefecture = params.get('prefecture');
  if (county) where.push({ regionCode: { eq: county } });
  else if (prefecture) where.push({ regionCode: { startsWith: prefecture.slice(0, 4) } });
  if (params.get('level')) where.push({ greenLevel: { eq: params.get('level') } });
  if (params.get('category')) where.push({ greenCategory: { eq: params.get('category') } });
  if (params.get('industry')) where.push({ industrySection: { eq: params.get('industry') } });
  if (params.get('name')) where.push({ name: { contains: params.get('name') } });
  const [field, direction] = (params.get('sort') || 'NAME.ASC').split('.');
  const variables = {
    where: where.length ? { and: where } : null,
    orderBy: [{ field, direction }],
  };
  if (params.get('before')) Object.assign(variables, { last: PAGE_SIZE, before: params.get('before') });
  else Object.assign(variables, { first: PAGE_SIZE, after: params.get('after') || null });
  return variables;
}

function Select({ name, value, onChange, options, empty, text }) {
  return html`<label>${text}
    <select name=${name} value=${value || ''} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="">${empty}</option>
      ${options.map(([v, t]) => html`<option value=${v} selected=${v === value}>${t}</option>`)}
    </select></label>`;
}

function Filters({ params, catalog }) {
  // a change of any filter starts again at the first page
  const set = (changes) => navigate(withParams({ ...changes, after: null, before: null }));
  const prefectures = catalog.regions.filter((r) => r.level === 'prefecture');
  const prefecture = params.get('prefecture');
  const counties = prefecture ? catalog.regions.filter((r) => r.parent === prefecture) : [];
  const enumOptions = (name) => Object.entries(catalog.labels[name] ?? {});
  const submitName = (event) => {
    event.preventDefault();
    set({ name: new FormData(event.currentTarget).get('name').trim() });
  };
  return html`<div class="filters" role="group" aria-label="筛选">
    <${Select} name="prefecture" text="市（州）" empty="全部" value=${prefecture}
      options=${prefectures.map((r) => [r.code, r.name])}
      onChange=${(v) => set({ prefecture: v, county: null })} />
    <${Select} name="county" text="区（县）" empty=${prefecture ? '全部' : '先选市（州）'} value=${params.get('county')}
      options=${counties.map((r) => [r.code, r.name])} onChange=${(v) => set({ county: v })} />
    <${Select} name="level" text="绿色等级" empty="全部" value=${params.get('level')}
      options=${enumOptions('GreenLevel')} onChange=${(v) => set({ level: v })} />
    <${Select} name="category" text="绿色产业类别" empty="全部" value=${params.get('category')}
      options=${enumOptions('GreenCategory')} onChange=${(v) => set({ category: v })} />
    <${Select} name="industry" text="行业门类" empty="全部" value=${params.get('industry')}
      options=${catalog.industries.map((s) => [s.code, `${s.code} ${s.name}`])} onChange=${(v) => set({ industry: v })} />
    <form class="name-filter" onSubmit=${submitName}>
      <label>企业名称包含
        <input name="name" type="search" defaultValue=${params.get('name') || ''} key=${params.get('name') || ''} /></label>
      <button type="submit">筛选</button>
    </form>
    <${Select} name="sort" text="排序" empty="默认（名称）" value=${params.get('sort')}
      options=${SORTS} onChange=${(v) => navigate(withParams({ sort: v, after: null, before: null }))} />
  </div>`;
}

function Pager({ pageInfo }) {
  const previous = pageInfo.hasPreviousPage && pageInfo.startCursor
    ? withParams({ before: pageInfo.startCursor, after: null }) : null;
  const next = pageInfo.hasNextPage && pageInfo.endCursor
    ? withParams({ after: pageInfo.endCursor, before: null }) : null;
  return html`<nav class="pager" aria-label="分页">
    ${previous ? html`<${Link} href=${previous} rel="prev">上一页<//>` : html`<span class="disabled">上一页</span>`}
    ${next ? html`<${Link} href=${next} rel="next">下一页<//>` : html`<span class="disabled">下一页</span>`}
  </nav>`;
}

export function EnterpriseDirectory({ search, catalog }) {
  const params = new URLSearchParams(search);
  const view = useView('EnterpriseDirectory', directoryVariables(params), search);
  useRendered(catalog && !view.loading && (view.data || view.error));
  if (!catalog) return html`<${Loading} />`;
  const connection = view.data?.enterprises;
  return html`<section class="directory">
    <h1>绿色企业</h1>
    <${Filters} params=${params} catalog=${catalog} />
    ${view.error && html`<${Failure} error=${view.error} />`}
    ${view.loading && html`<${Loading} />`}
    ${connection && html`
      <p class="total" aria-live="polite">共 <strong data-total=${connection.totalCount}>${count(connection.totalCount)}</strong> 家企业</p>
      <ol class="results" onKeyDown=${arrowKeys} aria-label="企业列表">
        ${connection.edges.map(({ node }) => html`<li>
          <${Link} href=${`/enterprises/${encodeURIComponent(node.id)}`} data-item>${node.name}<//>
          <span class="meta">
            <span>${[...node.region?.ancestors ?? []].reverse().filter((a) => a.level !== 'province').map((a) => a.name).join(' ')} ${node.region?.name ?? node.regionCode}</span>
            <span>${node.industry.sectionName}</span>
            <span>${label(catalog, 'GreenCategory', node.greenCategory)}</span>
            <${LevelBadge} level=${node.greenLevel} catalog=${catalog} />
            ${node.greenLevelValidUntil && html`<span>有效期至 ${day(node.greenLevelValidUntil)}</span>`}
          </span>
        </li>`)}
      </ol>
      ${connection.edges.length === 0 && html`<p class="muted">没有符合条件的企业。</p>`}
      <${Pager} pageInfo=${connection.pageInfo} />`}
  </section>`;
}
