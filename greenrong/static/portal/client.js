// The portal's GraphQL client: plain fetch, persisted queries only.
// A view is one request: a GET carrying the document's APQ hash (the server knows every portal
// document from start-up, greenrong/schema/portal.py), or a POST with the hash for mutations.
// Only if a server does not know a hash (PERSISTED_QUERY_NOT_FOUND) does the client send the
// document's text with it, once, as APQ prescribes.

const meta = document.querySelector('meta[name="greenrong-api"]');
export const API = (window.GREENRONG_API || (meta && meta.content) || '').replace(/\/$/, '');
const TOKEN_KEY = 'greenrong.credential';
const VIEWER_KEY = 'greenrong.viewer';

let hashesPromise = null;
function hashes() {
  hashesPromise ??= import(`${API}/portal/queries.js`).then((m) => m.default);
  return hashesPromise;
}

export function credential() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storedViewer() {
  const raw = sessionStorage.getItem(VIEWER_KEY);
  return raw ? JSON.parse(raw) : null;
}

export function forget() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(VIEWER_KEY);
}

// a credential being tried at sign-in is not the stored one
function isNewCredential(token) {
  return token !== credential();
}

function headers(token) {
  const h = { accept: 'application/graphql-response+json, application/json' };
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function send(name, variables, { mutation = false, text = null, token = credential() } = {}) {
  const sha256Hash = (await hashes())[name];
  if (!sha256Hash) throw new ApiError(`未知的查询 ${name}`);
  const extensions = { persistedQuery: { version: 1, sha256Hash } };
  let response;
  if (mutation || text) {
    response = await fetch(`${API}/graphql`, {
      method: 'POST',
      headers: { ...headers(token), 'content-type': 'application/json' },
      body: JSON.stringify({ operationName: name, variables, extensions, ...(text ? { query: text } : {}) }),
    });
  } else {
    const params = new URLSearchParams({
      operationName: name,
      variables: JSON.stringify(variables),
      extensions: JSON.stringify(extensions),
    });
    response = await fetch(`${API}/graphql?${params}`, { headers: headers(token) });
  }
  if (response.status === 401) {
    // a credential that no longer works is dropped: the header shows the public again
    if (!isNewCredential(token)) {
      forget();
      window.dispatchEvent(new Event('portal:signed-out'));
    }
    throw new ApiError('密钥或令牌无效、已过期或已吊销，请重新登录。', 401);
  }
  const body = await response.json().catch(() => null);
  if (!body) throw new ApiError(`服务器返回 HTTP ${response.status}`, response.status);
  return body;
}

// Runs the named document; resolves to {data, errors} (errors: [] when none).
export async function gql(name, variables = {}, options = {}) {
  let body = await send(name, variables, options);
  const notFound = (body.errors || []).some((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND');
  if (notFound) {
    const text = await (await fetch(`${API}/static/portal/queries/${name}.graphql`)).text();
    body = await send(name, variables, { ...options, text });
  }
  const errors = body.errors || [];
  if (!body.data) {
    const error = new ApiError(errors.map((e) => e.message).join('；') || '请求失败');
    error.errors = errors;
    throw error;
  }
  return { data: body.data, errors };
}

// Signs in: asks `viewer` with the credential and keeps both for this browser tab.
export async function signIn(token) {
  const { data } = await gql('Viewer', {}, { token });
  const viewer = { ...data.viewer, orgName: null };
  if (viewer.orgId) {
    const org = await gql('Organisation', { id: viewer.orgId }, { token });
    viewer.orgName = org.data.node?.name ?? null;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(VIEWER_KEY, JSON.stringify(viewer));
  return viewer;
}

// The API's refusal of the field at `path` (an array), or null: {code, message}.
export function refusal(errors, path) {
  const key = path.join('.');
  const error = (errors || []).find((e) => (e.path || []).join('.') === key);
  return error ? { code: error.extensions?.code, message: error.message } : null;
}

// The errors under `prefix` (a path array): a field refused anywhere inside it.
export function refusalsUnder(errors, prefix) {
  const key = prefix.join('.');
  return (errors || []).filter((e) => (e.path || []).join('.').startsWith(key));
}

let referencePromise = null;
// Regions, industry sections and enum labels (static reference data, cached by the browser).
export function reference() {
  referencePromise ??= fetch(`${API}/portal/reference.json`).then((r) => r.json());
  return referencePromise;
}

// Opens a page of the API that needs the credential (the carbon report) in a new tab.
export async function openWithCredential(path) {
  const response = await fetch(`${API}${path}`, { headers: { authorization: `Bearer ${credential()}` } });
  if (!response.ok) throw new ApiError(`报告页返回 HTTP ${response.status}`, response.status);
  const url = URL.createObjectURL(await response.blob());
  window.open(url, '_blank', 'noopener');
}

// Starts loading what every view needs (document hashes, reference data) at once, in parallel
// with the page's own view.
export function warm() {
  hashes();
  reference();
}
