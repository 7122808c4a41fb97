// Drives a real Uppy page in Debian's headless Chromium: picks files through the Dashboard's file input, clicks
// Upload, waits for Uppy's 'complete', takes a screenshot, and prints one JSON line: Uppy's result, every request
// the page made (signing calls with their bodies; S3 calls with query parameter names only), console and errors.
//
//   node uppy-upload.mjs <page URL> <screenshot.png> <file>...
//
// Signing calls are the gateway's API paths (/api/s3/sign for Uppy 6, /api/companion/s3/... for Uppy 5); their
// JSON bodies and answers' member names are in the report.
//
// Exit 0 when Uppy completed (successfully or not: the caller judges the result), 1 otherwise.
import { drive } from './chromium.mjs';

const [pageUrl, screenshot, ...files] = process.argv.slice(2);
if (!pageUrl || !screenshot || files.length === 0) {
  console.error('usage: node uppy-upload.mjs <page URL> <screenshot.png> <file>...');
  process.exit(2);
}
const UPLOAD_TIMEOUT_MS = Number(process.env.UPLOAD_TIMEOUT_MS || 40000);

await drive('uppy', screenshot, async (page, report, describe) => {
  page.on('requestfinished', async (r) => {
    const entry = { ...describe(r), status: r.response()?.status() };
    report.requests.push(entry); // now, in the order requests finish; the answer's members are added below
    if (entry.path.startsWith('/api/') && r.method() !== 'OPTIONS') {
      if (r.postData()) entry.body = JSON.parse(r.postData());
      try {
        const answer = await r.response().json();
        entry.answerMembers = Array.isArray(answer) ? ['[]'] : Object.keys(answer);
        entry.answerHeaders = answer.headers;
      } catch (e) {
        entry.answerMembers = String(e);
      }
    }
  });

  await page.goto(pageUrl, { waitUntil: 'load' });
  const input = await page.waitForSelector('.uppy-Dashboard-input', { timeout: 10000 });
  await input.uploadFile(...files);
  const upload = await page.waitForSelector('.uppy-StatusBar-actionBtn--upload', { timeout: 10000 });
  const clicked = Date.now();
  await upload.click();
  await page.waitForFunction(() => window.uppyResult, { timeout: UPLOAD_TIMEOUT_MS, polling: 50 });
  report.uploadMs = Date.now() - clicked;
  report.result = await page.evaluate(() => window.uppyResult);
});
