// Drives the web portal (greenrong/static/portal) in headless Debian Chromium against a live,
// seeded server, as a visitor, an institution and an enterprise would. Offline: every request
// to a host other than the server's is aborted and recorded.
//   node portal.mjs '{"base": "http://127.0.0.1:PORT", "crossOrigin": "http://localhost:PORT",
//                     "tokens": {"institution": "…", "enterprise": "…"},
//                     "ids": {"consented": …, "unconsented": …, "applicant": <global ids>},
//                     "screenshots": "<dir>"}'
// Prints one JSON object on stdout: {checks: {…}, graphql: {page: [request]}, consoleErrors,
// pageErrors, blocked, error?}. tests/e2e/test_portal_browser.py judges it. Exits 1 only when
// the JSON could not be made.
import { chromium } from 'playwright-core';

const STEP_TIMEOUT_MS = 15_000;
const input = JSON.parse(process.argv[2] ?? '{}');
const { base, crossOrigin, tokens, ids, screenshots } = input;
if (!base) {
  console.error('usage: node portal.mjs \'{"base": …, "tokens": …, "ids": …}\'');
  process.exit(2);
}
const allowedHosts = new Set([new URL(base).host, ...(crossOrigin ? [new URL(crossOrigin).host] : [])]);
const report = { checks: {}, graphql: {}, consoleErrors: [], pageErrors: [], blocked: [] };
const checks = report.checks;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  timeout: STEP_TIMEOUT_MS,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let label = 'start';
const started = Date.now();
report.timings = [];
const mark = (name) => report.timings.push([name, Date.now() - started]);
async function newPage(context) {
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') report.consoleErrors.push(`${label}: ${m.text()}`); });
  page.on('pageerror', (e) => report.pageErrors.push(`${label}: ${e}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname !== '/graphql') return;
    (report.graphql[label] ??= []).push({
      method: r.method(),
      operation: url.searchParams.get('operationName') ?? JSON.parse(r.postData() || '{}').operationName,
      hasQueryText: url.searchParams.has('query') || 'query' in JSON.parse(r.postData() || '{}'),
      origin: url.origin,
    });
  });
  return page;
}

async function newContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.route('**/*', (route) => {
    const requestUrl = route.request().url();
    if (allowedHosts.has(new URL(requestUrl).host)) return route.continue();
    report.blocked.push(requestUrl);
    return route.abort('blockedbyclient');
  });
  return context;
}

// waits until the page says its content for the current URL is rendered
async function rendered(page) {
  await page.waitForFunction(() => document.body.dataset.rendered === location.pathname + location.search);
  // a frame for the browser to lay the content out before anyone reads it
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
}

async function visit(page, path, name) {
  label = name;
  mark(name);
  await page.goto(new URL(path, base).href);
  await rendered(page);
}

async function step(name, action) {
  label = name;
  mark(name);
  await action();
  await rendered(currentPage);
}

const here = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };
const total = async (page) => Number(await page.locator('[data-total]').getAttribute('data-total'));
const names = (page) => page.locator('.results [data-item]').allInnerTexts();
const shot = async (page, name) => { if (screenshots) await page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true }); };

async function signIn(page, token) {
  label = 'sign-in';
  await page.getByRole('button', { name: '登录' }).click();
  await page.fill('input[name=credential]', token);
  await page.locator('form.signin button[type=submit]').click();
  await page.waitForSelector('.viewer .role:not([data-role=PUBLIC])');
  return { role: await page.locator('.viewer .role').innerText(), org: await page.locator('.viewer .org').innerText() };
}

let currentPage;
try {
  const context = await newContext();
  const page = await newPage(context);
  currentPage = page;

  // --- 首页 ------------------------------------------------------------------------------
  await visit(page, '/', 'home');
  await page.waitForSelector('canvas[data-drawn]');
  checks.home = {
    figures: await page.locator('.figures li').count(),
    enterprises: await page.locator('.figures li').first().locator('strong').innerText(),
    charts: await page.locator('canvas[data-drawn]').count(),
    libraries: await page.locator('table.libraries tbody tr').count(),
    demandNotice: await page.locator('.panel').first().innerText(),
  };
  await shot(page, 'home');
  await page.fill('.search input[name=q]', '光伏');
  await step('home-search', () => page.press('.search input[name=q]', 'Enter'));
  checks.homeSearch = here(page);

  // --- 绿色企业 ----------------------------------------------------------------------------
  await visit(page, '/enterprises', 'directory');
  await shot(page, 'enterprises');
  const directory = { all: await total(page), firstPage: await names(page) };
  await step('directory-filter', () => page.selectOption('select[name=category]', 'ENERGY_SAVING_ENVIRONMENTAL'));
  directory.filteredUrl = here(page);
  directory.filtered = await total(page);
  await step('directory-prefecture', () => page.selectOption('select[name=prefecture]', '510100'));
  directory.prefectureUrl = here(page);
  directory.prefectureTotal = await total(page);
  directory.counties = await page.locator('select[name=county] option').count();
  await step('directory-clear', () => page.goto(`${base}/enterprises`));
  await step('directory-next', () => page.getByRole('link', { name: '下一页' }).click());
  directory.page2Url = here(page);
  directory.page2 = await names(page);
  await step('directory-next2', () => page.getByRole('link', { name: '下一页' }).click());
  directory.page3Url = here(page);
  directory.page3 = await names(page);
  await step('directory-reload', () => page.reload());
  directory.page3Reloaded = await names(page);
  await step('directory-prev', () => page.getByRole('link', { name: '上一页' }).click());
  directory.backToPage2 = await names(page);
  await step('directory-history-back', () => page.goBack());
  directory.historyBackUrl = here(page);
  // keyboard: Tab to the first result, ArrowDown to the second, Enter opens it
  await page.locator('.results [data-item]').first().focus();
  await page.keyboard.press('ArrowDown');
  directory.focused = await page.evaluate(() => document.activeElement.textContent);
  await step('directory-keyboard', () => page.keyboard.press('Enter'));
  directory.keyboardUrl = here(page);
  directory.keyboardTitle = await page.locator('h1').innerText();
  checks.directory = directory;

  // --- 企业详情, anonymous -------------------------------------------------------------------
  await visit(page, `/enterprises/${encodeURIComponent(ids.consented)}`, 'detail-anonymous');
  checks.detailAnonymous = {
    title: await page.locator('h1').innerText(),
    demandsTable: await page.locator('table.demands').count(),
    noDemandsNotice: await page.locator('[data-no-demands]').count(),
    contact: await page.locator('[data-field=contactPerson]').innerText(),
    sections: await page.locator('article h2').allInnerTexts(),
  };
  await shot(page, 'enterprise');

  // --- 技术交易 ----------------------------------------------------------------------------
  await visit(page, '/listings', 'listings');
  const listings = { all: await total(page) };
  const domainBucket = page.locator('[data-facet=domain] button.bucket').first();
  listings.bucket = { value: await domainBucket.getAttribute('data-value'), count: Number(await domainBucket.locator('.count').innerText()) };
  const regionCounts = async () => (await page.locator('[data-facet=region] .count').allInnerTexts()).map(Number);
  listings.regionCountsBefore = await regionCounts();
  listings.domainBucketsBefore = await page.locator('[data-facet=domain] button.bucket').count();
  await step('listings-facet', () => domainBucket.click());
  listings.facetUrl = here(page);
  listings.narrowed = await total(page);
  listings.regionCountsAfter = await regionCounts();
  listings.domainBucketsAfter = await page.locator('[data-facet=domain] button.bucket').count();
  listings.chosen = await page.locator('[data-facet=domain] button.bucket.chosen').count();
  // suggestions while typing, chosen with the keyboard
  await visit(page, '/listings', 'listings-again');
  label = 'listings-suggest';
  // the first words of a listing's title, as a person would start typing them
  listings.typed = (await names(page))[0].slice(0, 2);
  const box = page.locator('.search input[name=q]');
  await box.click();
  await page.keyboard.type(listings.typed, { delay: 20 });
  await page.waitForSelector('#suggestions [role=option]');
  listings.suggestions = await page.locator('#suggestions [role=option]').allInnerTexts();
  await page.keyboard.press('ArrowDown');
  await step('listings-suggest', () => page.keyboard.press('Enter'));
  listings.suggestUrl = here(page);
  listings.highlights = await page.locator('.results em').count();
  listings.suggestTotal = await total(page);
  await shot(page, 'listings');
  // paging
  await visit(page, '/listings?sort=NEWEST', 'listings');
  listings.page1 = await names(page);
  await step('listings-next', () => page.getByRole('link', { name: '下一页' }).click());
  listings.page2Url = here(page);
  listings.page2 = await names(page);
  await step('listings-reload', () => page.reload());
  listings.page2Reloaded = await names(page);
  await step('listings-prev', () => page.getByRole('link', { name: '上一页' }).click());
  listings.backToPage1 = await names(page);
  // keyboard on the results
  await page.locator('.results [data-item]').first().focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowDown');
  listings.focused = await page.evaluate(() => document.activeElement.textContent);
  await step('listing', () => page.keyboard.press('Enter'));
  listings.keyboardUrl = here(page);
  listings.listingTitle = await page.locator('h1').innerText();
  listings.buyersSection = await page.locator('text=潜在买方').count();
  await shot(page, 'listing');
  await visit(page, '/financing', 'financing-anonymous');
  listings.financingAnonymous = await page.locator('[data-explainer]').innerText();
  checks.listings = listings;

  // --- a wrong key: refused, and the visitor stays the public ------------------------------
  label = 'sign-in-refused';
  await page.getByRole('button', { name: '登录' }).click();
  await page.fill('input[name=credential]', 'grk_not_a_key');
  await page.locator('form.signin button[type=submit]').click();
  checks.refusedSignIn = { alert: await page.locator('form.signin [role=alert]').innerText() };
  await page.getByRole('button', { name: '取消' }).click();
  checks.refusedSignIn.role = await page.locator('.viewer .role').getAttribute('data-role');
  checks.refusedSignIn.stored = await page.evaluate(() => sessionStorage.length);

  // --- an institution --------------------------------------------------------------------
  checks.institution = { viewer: await signIn(page, tokens.institution) };
  await visit(page, `/enterprises/${encodeURIComponent(ids.consented)}`, 'detail-institution');
  checks.institution.consentedContact = await page.locator('[data-field=contactPerson]').innerText();
  checks.institution.consentedRefused = await page.locator('[data-field=contactPerson] [data-refused]').count();
  await visit(page, `/enterprises/${encodeURIComponent(ids.unconsented)}`, 'detail-institution-unconsented');
  checks.institution.unconsentedContact = await page.locator('[data-field=contactPerson]').innerText();
  checks.institution.unconsentedRefusal = await page.locator('[data-field=contactPerson] [data-refused]').getAttribute('data-refused');
  await visit(page, '/financing', 'financing-institution');
  checks.institution.products = await page.locator('section.product').count();
  checks.institution.matches = await page.locator('section.product .matches > li').count();
  checks.institution.purposes = await page.locator('.purpose').allInnerTexts();
  checks.institution.startButtons = await page.getByRole('button', { name: '发起对接' }).count();
  await shot(page, 'financing-institution');
  label = 'start-match';
  await page.getByRole('button', { name: '发起对接' }).first().click();
  checks.institution.started = await page.locator('section.product [role=status]').first().innerText();
  await page.getByRole('button', { name: '退出' }).click();
  checks.institution.signedOut = await page.locator('.viewer .role').getAttribute('data-role');

  // --- an enterprise ----------------------------------------------------------------------
  checks.enterprise = { viewer: await signIn(page, tokens.enterprise) };
  await visit(page, `/enterprises/${encodeURIComponent(ids.applicant)}`, 'detail-enterprise');
  checks.enterprise.demandRows = await page.locator('table.demands tbody tr').count();
  checks.enterprise.contact = await page.locator('[data-field=contactPerson]').innerText();
  await shot(page, 'enterprise-owner');
  await visit(page, '/financing', 'financing-enterprise');
  checks.enterprise.demands = await page.locator('section.demand').count();
  checks.enterprise.productMatches = await page.locator('section.demand .matches > li').count();
  checks.enterprise.reasons = await page.locator('section.demand .reasons li').count();
  await shot(page, 'financing-enterprise');
  await visit(page, '/listings?q=光伏', 'listings-signed-in');
  label = 'save-search';
  await page.getByRole('button', { name: '保存搜索' }).click();
  await page.waitForSelector('.saved [role=status]');
  await page.waitForFunction(() => document.querySelector('.saved h3')?.textContent.includes('（1）'));
  checks.enterprise.saved = await page.locator('.saved').innerText();

  // --- from another origin (CORS) ---------------------------------------------------------
  if (crossOrigin) {
    const other = await newContext();
    await other.addInitScript((api) => { window.GREENRONG_API = api; }, base);
    const otherPage = await newPage(other);
    currentPage = otherPage;
    label = 'cross-origin';
    await otherPage.goto(`${crossOrigin}/enterprises?level=GREEN`);
    await rendered(otherPage);
    checks.crossOrigin = { origin: new URL(otherPage.url()).origin, total: await total(otherPage) };
  }
} catch (error) {
  report.error = `${label}: ${String(error?.stack ?? error)}`;
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
