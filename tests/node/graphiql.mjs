// Drives greenrong's GraphiQL page in headless Debian Chromium, as a person would, offline.
//   node graphiql.mjs '{"url": "http://127.0.0.1:PORT/graphql", "query": "{ ping }", "screenshot": "graphiql.png"}'
// Every request to a host other than the live server's is aborted and recorded.
// Prints one JSON object on stdout:
//   {result, documentAccept, assets: {path: status}, blocked: [url], websockets: [url],
//    pageErrors: [message], error?}
// tests/e2e/test_graphiql_browser.py judges it. Exits 1 only when the JSON could not be made.
import { chromium } from 'playwright-core';

const STEP_TIMEOUT_MS = 30_000;
const { url, query, screenshot } = JSON.parse(process.argv[2] ?? '{}');
if (!url || !query) {
  console.error('usage: node graphiql.mjs \'{"url": …, "query": …, "screenshot": …}\'');
  process.exit(2);
}
const serverHost = new URL(url).host;
const report = {
  result: null,
  documentAccept: null,
  assets: {},
  blocked: [],
  websockets: [],
  pageErrors: [],
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  timeout: STEP_TIMEOUT_MS,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.route('**/*', (route) => {
    const requestUrl = route.request().url();
    if (new URL(requestUrl).host === serverHost) return route.continue();
    report.blocked.push(requestUrl);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => report.pageErrors.push(String(error)));
  page.on('websocket', (ws) => report.websockets.push(ws.url()));
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith('/static/graphiql/')) report.assets[pathname] = response.status();
  });

  const documentResponse = await page.goto(url, { waitUntil: 'load' });
  report.documentAccept = (await documentResponse.request().allHeaders())['accept'] ?? null;

  // the query editor is a CodeMirror 5 instance; replace its text as a person would
  const editor = page.locator('.graphiql-query-editor .CodeMirror');
  await editor.waitFor({ state: 'visible' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(query); // no per-key events, so no auto-closed brackets
  const typed = await editor.evaluate((el) => el.CodeMirror.getValue());
  if (typed !== query) throw new Error(`the editor holds ${JSON.stringify(typed)}`);

  await page.locator('button.graphiql-execute-button').click();
  const resultPane = page.locator('.graphiql-response .CodeMirror');
  await page.waitForFunction(
    () => {
      const el = document.querySelector('.graphiql-response .CodeMirror');
      return el && el.CodeMirror.getValue().trim().startsWith('{');
    },
    null,
    { timeout: STEP_TIMEOUT_MS },
  );
  report.result = JSON.parse(await resultPane.evaluate((el) => el.CodeMirror.getValue()));
  if (screenshot) await page.screenshot({ path: screenshot });
} catch (error) {
  report.error = String(error?.stack ?? error);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
