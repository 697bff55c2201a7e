// The portal's shell: header (navigation, sign-in, who the API thinks you are) and the router.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { forget, reference, signIn, storedViewer, warm } from './client.js';
import { html, Link, label } from './ui.js';
import { HomePage } from './pages/home.js';
import { EnterpriseDirectory } from './pages/enterprises.js';
import { EnterprisePage } from './pages/enterprise.js';
import { ListingSearch, ListingPage } from './pages/listings.js';
import { FinancingPage } from './pages/financing.js';

const ROUTES = [
  [/^\/$/, HomePage],
  [/^\/enterprises$/, EnterpriseDirectory],
  [/^\/enterprises\/([^/]+)$/, EnterprisePage],
  [/^\/listings$/, ListingSearch],
  [/^\/listings\/([^/]+)$/, ListingPage],
  [/^\/financing$/, FinancingPage],
];

const NAV = [
  ['/', '首页'],
  ['/enterprises', '绿色企业'],
  ['/listings', '技术交易'],
  ['/financing', '融资对接'],
];

function useLocation() {
  const [where, setWhere] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => {
      setWhere(location.pathname + location.search);
    };
    window.addEventListener('popstate', update);
    window.addEventListener('portal:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('portal:navigate', update);
    };
  }, []);
  return where;
}

function SignIn({ viewer, onChange, catalog }) {
  const [open, setOpen] = useState(false);
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  if (viewer) {
    return html`<div class="viewer">
      <span class="role" data-role=${viewer.role}>${label(catalog, 'Role', viewer.role)}</span>
      ${viewer.orgName && html`<span class="org">${viewer.orgName}</span>`}
      <button type="button" onClick=${() => { forget(); onChange(null); }}>退出</button>
    </div>`;
  }
  if (!open) {
    return html`<div class="viewer">
      <span class="role" data-role="PUBLIC">公众访客</span>
      <button type="button" onClick=${() => setOpen(true)}>登录</button>
    </div>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const signedIn = await signIn(token.trim());
      setOpen(false);
      setToken('');
      onChange(signedIn);
    } catch (error) {
      setProblem(error.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="signin" onSubmit=${submit}>
    <label>API 密钥或令牌
      <input name="credential" type="password" autocomplete="off" required value=${token}
        onInput=${(e) => setToken(e.currentTarget.value)} placeholder="grk_… 或 JWT" />
    </label>
    <button type="submit" disabled=${busy}>登录</button>
    <button type="button" onClick=${() => setOpen(false)}>取消</button>
    ${problem && html`<span class="failure" role="alert">${problem}</span>`}
  </form>`;
}

function App() {
  const where = useLocation();
  const [viewer, setViewer] = useState(storedViewer());
  const [catalog, setCatalog] = useState(null);
  useEffect(() => {
    reference().then(setCatalog);
    const signedOut = () => setViewer(null);
    window.addEventListener('portal:signed-out', signedOut);
    return () => window.removeEventListener('portal:signed-out', signedOut);
  }, []);
  const path = where.split('?')[0];
  let page = html`<p>页面不存在。<${Link} href="/">回到首页<//></p>`;
  for (const [pattern, Page] of ROUTES) {
    const match = path.match(pattern);
    if (match) {
      // keyed by viewer: signing in or out reloads the view with the new credential
      page = html`<${Page} key=${viewer ? `${viewer.role}:${viewer.orgId}:${viewer.keyId ?? viewer.subject}` : 'public'}
        params=${match.slice(1).map(decodeURIComponent)} search=${where.split('?')[1] ?? ''}
        viewer=${viewer} catalog=${catalog} />`;
      break;
    }
  }
  return html`<header class="top">
      <${Link} href="/" class="brand">绿蓉融<small>绿色金融综合服务平台</small><//>
      <nav aria-label="主导航">
        ${NAV.map(([href, text]) => html`<${Link} href=${href}
          class=${(href === '/' ? path === '/' : path.startsWith(href)) ? 'active' : ''}>${text}<//>`)}
      </nav>
      <${SignIn} viewer=${viewer} onChange=${setViewer} catalog=${catalog} />
    </header>
    <main id="content">${page}</main>
    <footer>数据来自 greenrong GraphQL API · <a href="/graphql">GraphiQL</a></footer>`;
}

warm();
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
