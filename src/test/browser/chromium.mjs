// What the puppeteer drivers share: Debian's headless Chromium with the flags this machine needs (closed network;
// root) and a fresh profile each run, and how a request is written into a report (no query values: a signature
// is a bearer credential).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

/** Launches Chromium; `close()` stops it and removes its profile. */
export async function launchChromium(name) {
  const profile = mkdtempSync(join(tmpdir(), `${name}-chromium-`));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Method, origin, path and the names of the query parameters (X-Amz-* left out), ms since `started`. */
export function describe(request, started) {
  const url = new URL(request.url());
  return {
    ms: Date.now() - started,
    method: request.method(),
    origin: url.origin,
    path: decodeURIComponent(url.pathname),
    query: [...url.searchParams.keys()].filter((k) => !k.startsWith('X-Amz-')),
  };
}
