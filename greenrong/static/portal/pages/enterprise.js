// 企业详情: profile, certifications, library memberships, projects with their financing demands
// (when the caller may see them), disclosures, and the carbon account with its report (the
// enterprise itself, or an institution with the enterprise's consent).
import { useState } from 'preact/hooks';
import { gql, openWithCredential, refusal } from '../client.js';
import {
  day, Failure, Guarded, html, label, LevelBadge, Link, Loading, useRendered, useView, yuan,
} from '../ui.js';

const CARBON_ROLES = new Set(['ADMIN', 'REGULATOR']);

// the enterprise's UUID inside its global id ("Enterprise:<uuid>", base64)
function uuidOf(globalId) {
  try {
    return atob(globalId).split(':')[1];
  } catch {
    return null;
  }
}

function CarbonYears({ account, enterpriseId }) {
  const [problem, setProblem] = useState(null);
  const open = (year) => openWithCredential(`/reports/carbon/${uuidOf(enterpriseId)}/${year}`).catch((e) => setProblem(e.message));
  if (!account.years.length) return html`<p class="muted">碳账户暂无记录。</p>`;
  return html`<table class="carbon">
    <thead><tr><th>年度</th><th>排放 tCO2e</th><th>减排</th><th>抵消</th><th>净排放</th><th>核查</th><th>报告</th></tr></thead>
    <tbody>${account.years.map((y) => html`<tr>
      <td>${y.year}</td><td>${y.gross}</td><td>${y.reductions}</td><td>${y.offsets}</td><td>${y.net}</td>
      <td>${y.verified ? '已核查' : '未核查'}</td>
      <td><button type="button" class="link" onClick=${() => open(y.year)}>查看碳报告</button></td>
    </tr>`)}</tbody>
  </table>${problem && html`<p class="failure">${problem}</p>`}`;
}

// An institution asks for the account on demand (its own view): without the enterprise's
// CARBON_LEDGER consent the API refuses it, and the page says so.
function CarbonOnDemand({ enterpriseId }) {
  const [state, setState] = useState(null);
  const load = async () => {
    setState({ loading: true });
    try {
      const { data } = await gql('EnterpriseCarbon', { id: enterpriseId });
      setState({ account: data.carbonAccount });
    } catch (error) {
      setState({ refused: refusal(error.errors, ['carbonAccount']), error });
    }
  };
  if (!state) return html`<button type="button" onClick=${load}>查看碳账户（需企业授权）</button>`;
  if (state.loading) return html`<${Loading} />`;
  if (state.refused) return html`<${Guarded} refused=${state.refused} />`;
  if (state.error) return html`<${Failure} error=${state.error} />`;
  return html`<${CarbonYears} account=${state.account} enterpriseId=${enterpriseId} />`;
}

function Demands({ demands, errors, catalog }) {
  if (!demands.edges.length) return html`<p class="muted">没有您可见的融资需求。</p>`;
  return html`<table class="demands">
    <thead><tr><th>金额</th><th>期限</th><th>项目</th><th>用途</th><th>状态</th><th>提交</th></tr></thead>
    <tbody>${demands.edges.map(({ node }, i) => html`<tr>
      <td>${yuan(node.amount)}</td><td>${node.termMonths} 个月</td><td>${node.project?.title ?? '—'}</td>
      <td><${Guarded} refused=${refusal(errors, ['node', 'financingDemands', 'edges', i, 'node', 'purpose'])} value=${node.purpose} /></td>
      <td>${label(catalog, 'DemandStatus', node.status)}</td><td>${day(node.submittedAt)}</td>
    </tr>`)}</tbody>
  </table>`;
}

export function EnterprisePage({ params: [id], viewer, catalog }) {
  const withCarbon = Boolean(viewer && (CARBON_ROLES.has(viewer.role) || viewer.orgId === id));
  const view = useView('EnterpriseDetail', { id, withCarbon }, `${id}:${withCarbon}`);
  useRendered(catalog && !view.loading && (view.data || view.error));
  if (!catalog) return html`<${Loading} />`;
  if (view.error) return html`<${Failure} error=${view.error} />`;
  if (view.loading) return html`<${Loading} />`;
  const e = view.data.node;
  if (!e) return html`<p>没有这家企业，或您无权查看。<${Link} href="/enterprises">返回企业列表<//></p>`;
  const errors = view.errors;
  const L = (name, value) => label(catalog, name, value);
  const showDemands = viewer && viewer.role !== 'PUBLIC';
  // the public is never sent contact details (no error: it may not ask); say why they are missing
  const contactRefusal = (field) => refusal(errors, ['node', field])
    ?? (viewer ? null : { code: 'FORBIDDEN_NO_CONSENT', message: '联系方式仅企业本身、监管部门及经企业授权的金融机构可见' });
  return html`<article class="enterprise">
    <p class="crumbs"><${Link} href="/enterprises">绿色企业<//> / ${e.name}</p>
    <h1>${e.name} <${LevelBadge} level=${e.greenLevel} catalog=${catalog} /></h1>
    <dl class="profile">
      <dt>统一社会信用代码</dt><dd>${e.creditCode}</dd>
      <dt>地区</dt><dd>${[...e.region?.ancestors ?? []].reverse().map((a) => a.name).join(' ')} ${e.region?.name}</dd>
      <dt>行业</dt><dd>${e.industry.sectionName} · ${e.industry.divisionName}</dd>
      <dt>规模</dt><dd>${L('EnterpriseSize', e.size)}</dd>
      <dt>绿色产业类别</dt><dd>${L('GreenCategory', e.greenCategory)}</dd>
      <dt>绿色等级有效期</dt><dd>${day(e.greenLevelValidUntil)}</dd>
      <dt>联系人</dt><dd data-field="contactPerson"><${Guarded} refused=${contactRefusal('contactPerson')} value=${e.contactPerson} /></dd>
      <dt>联系电话</dt><dd data-field="contactPhone"><${Guarded} refused=${contactRefusal('contactPhone')} value=${e.contactPhone} /></dd>
    </dl>
    <p class="description">${e.description}</p>

    <section><h2>绿色认定</h2>
      ${e.certifications.edges.length ? html`<table>
        <thead><tr><th>对象</th><th>状态</th><th>等级</th><th>证书编号</th><th>有效期</th></tr></thead>
        <tbody>${e.certifications.edges.map(({ node: c }) => html`<tr>
          <td>${c.project ? c.project.title : L('CertificationSubject', c.subjectType)}</td>
          <td>${L('CertificationStatus', c.status)}</td>
          <td><${LevelBadge} level=${c.level} catalog=${catalog} /></td>
          <td>${c.certificateNumber ?? '—'}</td>
          <td>${c.validFrom ? `${day(c.validFrom)} 至 ${day(c.validUntil)}` : '—'}</td>
        </tr>`)}</tbody></table>` : html`<p class="muted">暂无认定记录。</p>`}
    </section>

    <section><h2>入库记录</h2>
      ${e.libraryMemberships.edges.length ? html`<ul class="memberships">
        ${e.libraryMemberships.edges.map(({ node: m }) => html`<li>
          ${L('Library', m.library)}${m.project ? `（${m.project.title}）` : ''}：${day(m.since)} 起${m.until ? `，至 ${day(m.until)}` : ''}
          ${m.isOpen ? html`<span class="tag">在库</span>` : html`<span class="tag muted">已出库</span>`}
        </li>`)}</ul>` : html`<p class="muted">暂无入库记录。</p>`}
    </section>

    <section><h2>项目</h2>
      ${e.projects.edges.length ? html`<ul class="projects">${e.projects.edges.map(({ node: p }) => html`<li>
        <strong>${p.title}</strong>
        <span class="meta">${L('GreenCategory', p.greenCategory)} · 总投资 ${yuan(p.totalInvestment)} · ${L('ProjectStatus', p.status)}</span>
      </li>`)}</ul>` : html`<p class="muted">暂无项目。</p>`}
    </section>

    <section><h2>融资需求</h2>
      ${showDemands
        ? html`<${Demands} demands=${e.financingDemands} errors=${errors} catalog=${catalog} />`
        : html`<p class="muted notice" data-no-demands>融资需求不向公众公开，登录后按权限查看。</p>`}
    </section>

    <section><h2>环境信息披露</h2>
      ${e.disclosures.edges.length ? html`<ul>${e.disclosures.edges.map(({ node: d }) => html`<li>
        ${d.title} <span class="meta">${L('DisclosureKind', d.kind)} · ${d.year} · ${L('DisclosureStatus', d.status)}</span></li>`)}</ul>`
        : html`<p class="muted">暂无披露。</p>`}
    </section>

    <section><h2>碳账户</h2>
      ${withCarbon && view.data.carbonAccount && html`<${CarbonYears} account=${view.data.carbonAccount} enterpriseId=${e.id} />`}
      ${!withCarbon && viewer?.role === 'INSTITUTION' && html`<${CarbonOnDemand} enterpriseId=${e.id} />`}
      ${!withCarbon && viewer?.role !== 'INSTITUTION' && html`<p class="muted">碳账户仅企业本身及经企业授权的金融机构可见（需企业授权）。</p>`}
    </section>
  </article>`;
}
