// What the puppeteer drivers share: Debian's headless Chromium with the flags this machine needs (closed network;
// root) and a fresh profile each run; the report (requests without query values: a signature is a bearer
// credential; console; errors); a screenshot at the end, also after a failure; one JSON line on stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

/**
 * Opens a page in a new Chromium and runs `steps(page, report, describe)`; `describe(request)` is a request as the
 * report lists it. Prints the report and exits: 0 when the steps finished, 1 when they threw.
 */
export async function drive(name, screenshot, steps) {
  const started = Date.now();
  const report = { requests: [], console: [], errors: [] };
  const describe = (request) => describeRequest(request, started);
  const profile = mkdtempSync(join(tmpdir(), `${name}-chromium-`));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  let exitCode = 1;
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 720 });
    page.on('console', (m) => report.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => report.errors.push(String(e)));
    page.on('requestfailed', (r) => report.requests.push({ ...describe(r), failed: r.failure()?.errorText }));
    await steps(page, report, describe);
    await page.screenshot({ path: screenshot, fullPage: true });
    exitCode = 0;
  } catch (e) {
    report.errors.push(`driver: ${e}`);
    try {
      const [page] = await browser.pages();
      await page.screenshot({ path: screenshot, fullPage: true });
    } catch {
      // no screenshot: the error above says why
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
  report.elapsedMs = Date.now() - started;
  console.log(JSON.stringify(report));
  process.exit(exitCode);
}

/** Method, origin, path and the names of the query parameters (X-Amz-* left out), ms since `started`. */
function describeRequest(request, started) {
  const url = new URL(request.url());
  return {
    ms: Date.now() - started,
    method: request.method(),
    origin: url.origin,
    path: decodeURIComponent(url.pathname),
    query: [...url.searchParams.keys()].filter((k) => !k.startsWith('X-Amz-')),
  };
}
