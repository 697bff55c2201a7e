// Times the portal's pages in headless Debian Chromium (bench/portal/run.py starts it).
//   node bench/portal/pages.mjs '{"base": "http://127.0.0.1:PORT", "runs": 5,
//     "pages": [{"name": "…", "path": "/…", "token": "…" | null}]}'
// Per page: `runs` fresh navigations (the browser's cache warm after the first); for each, the
// milliseconds from navigation start to the page's `portal:rendered` mark (Chromium's
// performance timeline: its content for that URL is on screen) and the GraphQL requests it made.
// Prints one JSON object: {pages: [{name, path, ms: [..], requests: [[operation, …], …]}]}.
const { chromium } = await import(new URL('../../tests/node/node_modules/playwright-core/index.mjs', import.meta.url));

const { base, runs = 5, pages } = JSON.parse(process.argv[2]);
const host = new URL(base).host;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const out = { pages: [] };
try {
  for (const spec of pages) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route('**/*', (route) => (new URL(route.request().url()).host === host ? route.continue() : route.abort()));
    if (spec.token) {
      // signed in as the portal does it: the credential and the viewer in sessionStorage
      await context.addInitScript(([token, viewer]) => {
        sessionStorage.setItem('greenrong.credential', token);
        sessionStorage.setItem('greenrong.viewer', JSON.stringify(viewer));
      }, [spec.token, spec.viewer]);
    }
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    let requests = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/graphql') requests.push(url.searchParams.get('operationName') ?? 'POST');
    });
    const result = { name: spec.name, path: spec.path, ms: [], requests: [], errors };
    for (let i = 0; i < runs; i += 1) {
      requests = [];
      await page.goto(new URL(spec.path, base).href);
      const mark = await page.waitForFunction(() => {
        const here = location.pathname + location.search;
        const entry = performance.getEntriesByName(`portal:rendered ${here}`)[0];
        return entry ? entry.startTime : null;
      }, null, { timeout: 30_000 });
      result.ms.push(Math.round(await mark.jsonValue()));
      result.requests.push(requests);
    }
    out.pages.push(result);
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(out) + '\n');
