// Shared pieces of the portal's pages: htm, the router's link, formatting, states and refusals.
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import htm from 'htm';
import { gql } from './client.js';

export const html = htm.bind(h);

// --- routing -------------------------------------------------------------------------------
export function navigate(url, { replace = false } = {}) {
  const target = new URL(url, location.href);
  if (target.href === location.href) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', target.pathname + target.search);
  window.dispatchEvent(new Event('portal:navigate'));
}

// The page's URL search parameters with `changes` applied (null or '' removes a key).
export function withParams(changes, base = location.search) {
  const params = new URLSearchParams(base);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '') params.delete(key);
    else params.set(key, value);
  }
  const query = params.toString();
  return location.pathname + (query ? `?${query}` : '');
}

export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

// --- one view, one request -----------------------------------------------------------------
// Runs a persisted query whenever `key` changes; {loading, data, errors, error}.
export function useView(name, variables, key, enabled = true) {
  const [state, setState] = useState({ loading: true, key: null });
  useEffect(() => {
    if (!enabled) {
      setState({ loading: false, key });
      return undefined;
    }
    let live = true;
    setState((previous) => ({ ...previous, loading: true, error: null }));
    gql(name, variables)
      .then((result) => live && setState({ loading: false, key, ...result }))
      .catch((error) => live && setState({ loading: false, key, error }));
    return () => {
      live = false;
    };
  }, [key, enabled]);
  // until the answer for this key arrives, the view is loading (it may show the last answer)
  return state.key === key ? state : { ...state, loading: true };
}

// --- formatting ----------------------------------------------------------------------------
export function yuan(amount) {
  if (amount === null || amount === undefined) return '—';
  const n = Number(amount);
  if (Math.abs(n) >= 1e8) return `¥${(n / 1e8).toLocaleString('zh-CN', { maximumFractionDigits: 2 })}亿`;
  if (Math.abs(n) >= 1e4) return `¥${(n / 1e4).toLocaleString('zh-CN', { maximumFractionDigits: 2 })}万`;
  return `¥${n.toLocaleString('zh-CN')}`;
}

export function count(n) {
  return Number(n).toLocaleString('zh-CN');
}

export function percent(rate) {
  return `${(Number(rate) * 100).toFixed(2)}%`;
}

export function day(value) {
  return value ? String(value).slice(0, 10) : '—';
}

// The Chinese label of an enum value (reference.json's labels, from domain/reference/labels.py).
export function label(catalog, enumName, value) {
  return catalog?.labels?.[enumName]?.[value] ?? value;
}

// --- states --------------------------------------------------------------------------------
export function Failure({ error }) {
  return html`<div class="failure" role="alert">无法加载：${error.message}</div>`;
}

export function Loading() {
  return html`<p class="loading" aria-busy="true">加载中…</p>`;
}

// A field the API may refuse: shows the value, or why it is not shown. Never the value of a
// refused field (the API sends null for it with an error at its path).
const REFUSALS = {
  FORBIDDEN_NO_CONSENT: '需企业授权',
  FORBIDDEN: '无权查看',
  UNAUTHENTICATED: '登录后可见',
};

export function Guarded({ refused, value, children }) {
  if (refused) {
    const text = REFUSALS[refused.code] ?? '不可见';
    return html`<span class="refused" title=${refused.message} data-refused=${refused.code}>${text}</span>`;
  }
  if (value === null || value === undefined || value === '') return html`<span class="muted">—</span>`;
  return children ?? value;
}

export function LevelBadge({ level, catalog }) {
  if (!level) return html`<span class="muted">—</span>`;
  return html`<span class=${`level level-${level}`}>${label(catalog, 'GreenLevel', level)}</span>`;
}

// Arrow keys move the focus between the items (links) of a list; Enter follows a link.
export function arrowKeys(event) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const items = [...event.currentTarget.querySelectorAll('[data-item]')];
  const at = items.indexOf(document.activeElement);
  const next = event.key === 'ArrowDown' ? Math.min(at + 1, items.length - 1) : Math.max(at - 1, 0);
  if (items[next]) {
    event.preventDefault();
    items[next].focus();
  }
}

// Marks the page's content as rendered (the tests and bench/portal wait for it).
export function useRendered(ready) {
  useEffect(() => {
    const here = location.pathname + location.search;
    if (ready && document.body.dataset.rendered !== here) {
      document.body.dataset.rendered = here;
      performance.mark(`portal:rendered ${here}`);
    }
  });
}
