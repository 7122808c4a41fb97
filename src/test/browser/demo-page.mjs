// Drives the local stack's upload demo page in Debian's headless Chromium: optionally picks a mistake to make,
// picks files through the page's file input (the page uploads at once), waits until every file is done or failed,
// follows each download link from inside the page, takes a screenshot, and prints one JSON line: what the page
// shows per file, every request the page made (query parameter names only, no values), console and errors.
//
//   node demo-page.mjs <page URL> <screenshot.png> <mistake or ""> <file>...
//
// Exit 0 when every file reached an end state (done or failed: the caller judges), 1 otherwise.
import { drive } from './chromium.mjs';

const [pageUrl, screenshot, mistake, ...files] = process.argv.slice(2);
if (!pageUrl || !screenshot || mistake === undefined || files.length === 0) {
  console.error('usage: node demo-page.mjs <page URL> <screenshot.png> <mistake or ""> <file>...');
  process.exit(2);
}
const TIMEOUT_MS = Number(process.env.UPLOAD_TIMEOUT_MS || 30000);

await drive('demo', screenshot, async (page, report, describe) => {
  page.on('requestfinished', (r) => report.requests.push({ ...describe(r), status: r.response()?.status() }));
  await page.goto(pageUrl, { waitUntil: 'load' });
  if (mistake) await page.select('#mistake', mistake);
  const input = await page.waitForSelector('#files', { timeout: 10000 });
  await input.uploadFile(...files);
  await page.waitForFunction((n) => {
    const items = [...document.querySelectorAll('.file')];
    return items.length === n && items.every((i) => i.dataset.state !== 'uploading');
  }, { timeout: TIMEOUT_MS, polling: 50 }, files.length);
  report.files = await page.evaluate(async () => Promise.all([...document.querySelectorAll('.file')].map(async (i) => {
    const text = (selector) => i.querySelector(selector)?.textContent ?? null;
    const link = i.querySelector('a.download');
    let download = null;
    if (link) {
      const r = await fetch(link.href);
      download = { status: r.status, body: await r.text() };
    }
    return {
      name: text('.name'), state: i.dataset.state, key: text('dd.key'), etag: text('dd.etag'), time: text('dd.time'),
      error: text('dd.error'), row: i.querySelector('.row')?.dataset.row ?? null, symptom: text('.row .symptom'),
      fix: text('.row .fix'), download,
    };
  })));
});
