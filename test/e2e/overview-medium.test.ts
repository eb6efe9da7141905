// How long the overview of the `medium` demo takes to show in the browser: printed, not asserted.
// Loading the medium history takes minutes on a small machine, so this runs on request:
//   ESCAPEMENT_E2E_MEDIUM=1 npx vitest run test/e2e/overview-medium.test.ts
// or over a database already holding it (then nothing is loaded):
//   ESCAPEMENT_E2E_DB=/path/to/medium.db npx vitest run test/e2e/overview-medium.test.ts
import { afterAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserSkipReason, type Dashboard, getJson, launchBrowser, screenshot, startDashboard } from './harness.ts';

const existingDb = process.env.ESCAPEMENT_E2E_DB;
const skip = browserSkipReason() ?? (process.env.ESCAPEMENT_E2E_MEDIUM || existingDb ? null : 'set ESCAPEMENT_E2E_MEDIUM=1 (loads the medium demo, minutes) or ESCAPEMENT_E2E_DB=<file>');
if (skip) console.log(`medium overview timing skipped: ${skip}`);

describe.skipIf(skip !== null)('overview of the medium demo', () => {
  let dash: Dashboard | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
  });

  test('loads in the browser (time printed)', async () => {
    dash = await startDashboard(existingDb ? { dbPath: existingDb } : {});
    if (!existingDb) {
      const started = Date.now();
      await getJson(`${dash.url}/api/v1/demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scale: 'medium' }) });
      let job = { state: 'loading', phase: '' as string | null, message: null as string | null };
      while (job.state === 'loading') {
        await new Promise((r) => setTimeout(r, 2000));
        job = await getJson(`${dash.url}/api/v1/demo`);
      }
      expect(job.message, job.message ?? '').toMatch(/^Loaded the medium demo/);
      console.log(`medium demo loaded through POST /api/v1/demo in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const counts = (await getJson<{ counts: Record<string, number> }>(`${dash.url}/api/v1/readiness`)).counts;
    console.log(`medium demo: ${counts.signals} signals, ${counts.problems} problems, ${counts.deployments} deployments`);

    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const times: number[] = [];
    const slow: string[] = [];
    page.on('requestfinished', (request) => {
      const t = request.timing();
      if (request.url().includes('/api/') && t.responseEnd > 300) slow.push(`${request.url().replace(dash!.url, '')} ${Math.round(t.responseEnd)} ms`);
    });
    const cards: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      await page.goto(`${dash.url}/`);
      // First the decision indicator with its four numbers, then the whole page (the quarters' chart).
      await page.locator('[data-testid="card-releases"] .value').waitFor({ timeout: 120_000 });
      cards.push(Date.now() - t);
      await page.locator('[data-chart^="Escaped problems by type per quarter"]').waitFor({ timeout: 120_000 });
      times.push(Date.now() - t);
    }
    console.log(`overview of the medium demo in Chromium, decision and four numbers / whole page: first visit (metrics computed) ${cards[0]} / ${times[0]} ms; again (computed metrics reused) ${cards[1]} / ${times[1]} ms, ${cards[2]} / ${times[2]} ms`);
    console.log(`API requests over 300 ms: ${slow.join('; ') || 'none'}`);
    await screenshot(page, 'medium-overview');
    expect(times).toHaveLength(3);
  }, 900_000);
});
