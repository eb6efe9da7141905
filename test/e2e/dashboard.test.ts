// The dashboard in a real browser: first run loads the demo, every page opens, a chart opens a
// problem, five review items are cleared with the keyboard and the numbers move, and a title with
// HTML in it stays text. One demo load for the whole file (the `small` history: three months).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_CONFIG } from '../../src/domain/config.ts';
import { runPipeline } from '../../src/pipeline/run.ts';
import { browserSkipReason, clickChartBar, type Dashboard, getJson, launchBrowser, screenshot, startDashboard, watchErrors } from './harness.ts';

const skip = browserSkipReason();
if (skip) console.log(`dashboard e2e skipped: ${skip}`);

/** What a chart element carries for tests (web/src/components/Chart.tsx). */
interface ChartHost {
  escapementChart?: { getOption(): { series: { name: string; data: number[] }[] } };
}

const QUARTER_CHART = 'Escaped problems by type per quarter, stacked bars; select a bar to open its problems';

describe.skipIf(skip !== null)('dashboard in Chromium', () => {
  let dash: Dashboard;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [dash, browser] = await Promise.all([startDashboard(), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    errors = watchErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
  });

  /** Opens a dashboard path and waits until nothing on it is loading. */
  async function open(path: string): Promise<void> {
    await page.goto(dash.url + path);
    await page.locator('main h1').waitFor();
    await page.waitForFunction("document.querySelectorAll('.state.loading').length === 0", undefined, { timeout: 30_000 });
  }

  test('first run offers the demo; loading it from the page fills the overview', async () => {
    await page.goto(`${dash.url}/?scale=small`);
    const button = page.getByRole('button', { name: 'Load the demo data' });
    await button.waitFor();
    expect(await page.locator('main h1').textContent()).toBe('Welcome');
    // The page says how to connect each source: the webhook route of a vendor is listed.
    await page.getByText('POST /api/v1/webhooks/pagerduty').waitFor();
    // …and carries the setup guides from docs/, rendered as text.
    await page.getByText('Setup guide: alerting, trackers, support, chat and logs (docs/sources.md)').click();
    await page.getByRole('heading', { name: 'Sources: pointing your tools at Escapement' }).waitFor();
    await screenshot(page, '01-first-run');

    await button.click();
    await page.getByRole('heading', { name: 'Escaped problems per release' }).waitFor({ timeout: 100_000 });
    await page.locator('[data-testid="card-escapes"] .value').waitFor();
    const escapes = Number((await page.locator('[data-testid="card-escapes"] .value').textContent())!.replace(/,/g, ''));
    expect(escapes).toBeGreaterThan(0);
    await page.locator(`[data-chart="${QUARTER_CHART}"]`).waitFor();
    await screenshot(page, '02-overview');

    const readiness = await getJson<{ counts: Record<string, number> }>(`${dash.url}/api/v1/readiness`);
    expect(readiness.counts.problems).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  }, 150_000);

  test('every page opens with its content and no error', async () => {
    const pages: [string, string, string][] = [
      ['/releases', 'Releases', 'Escaped problems per release'],
      ['/delivery', 'Delivery', 'By service'],
      ['/problems', 'Problems', 'Impact start'],
      ['/review', 'Weekly review', 'Start this week’s review'],
      ['/readiness', 'Data readiness', 'Records stored'],
      ['/settings', 'Settings', 'Services and aliases'],
    ];
    for (const [path, title, content] of pages) {
      await open(path);
      expect(await page.locator('main h1').textContent()).toBe(title);
      await page.getByText(content, { exact: true }).first().waitFor();
      expect(await page.locator('.state.error').count(), `error state on ${path}`).toBe(0);
      await screenshot(page, `03-page${path.replace(/\//g, '-')}`);
    }
    // The release series marks spikes and the next candidate has a decision.
    await open('/releases');
    expect(await page.locator('[data-testid="rcs-decision"]').textContent()).toMatch(/^(GO|CONDITIONAL|HOLD)$/);
    // Every readiness item says what it is based on.
    await open('/readiness');
    expect(await page.locator('.checklist li').count()).toBe(6);
    expect(errors).toEqual([]);

    const dark = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' });
    const darkPage = await dark.newPage();
    await darkPage.goto(dash.url + '/');
    await darkPage.locator(`[data-chart="${QUARTER_CHART}"]`).waitFor();
    const background = await darkPage.evaluate<string>('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(17, 20, 24)');
    await screenshot(darkPage, '04-overview-dark');
    await dark.close();
  }, 90_000);

  test('a bar of the quarter chart opens its problems, and one of them opens its page', async () => {
    await open('/');
    const chart = page.locator(`[data-chart="${QUARTER_CHART}"]`);
    await chart.waitFor();
    // The last quarter's bottom segment (the first type with problems there).
    const target = await chart.evaluate((el: unknown) => {
      const option = (el as ChartHost).escapementChart!.getOption();
      const last = option.series[0]!.data.length - 1;
      const series = option.series.findIndex((s: { data: number[] }) => (s.data[last] ?? 0) > 0);
      return { series, index: last, value: option.series[series]!.data[last]!, name: option.series[series]!.name };
    });
    expect(target.series).toBe(0);
    await clickChartBar(page, QUARTER_CHART, target.series, target.index, target.value);
    await page.waitForURL(/\/evidence\?/);
    await page.locator('table .problem-title').first().waitFor();
    expect(await page.locator('main strong').first().textContent()).toContain(`${target.name} problems in`);
    expect(await page.locator('table .problem-title').count()).toBe(Math.min(target.value, 50));
    await screenshot(page, '05-chart-evidence');

    const first = page.locator('table .problem-title').first();
    const title = await first.textContent();
    await first.click();
    await page.waitForURL(/\/problems\/\d+$/);
    await page.locator('h2.problem-title').waitFor();
    expect(await page.locator('h2.problem-title').textContent()).toBe(title);
    await page.locator('ol.timeline li').first().waitFor();
    expect(await page.locator('ol.timeline li').count()).toBeGreaterThan(0);
    await page.getByRole('heading', { name: 'Release that introduced it' }).waitFor();
    await screenshot(page, '06-problem');
  }, 60_000);

  test('five review items cleared with the keyboard move the numbers', async () => {
    await open('/');
    const toVerify = async () => Number(/^([\d,]+) to verify/.exec((await page.locator('[data-testid="card-escapes"] .muted').last().textContent())!)![1]!.replace(/,/g, ''));
    const before = await toVerify();

    await open('/review');
    await page.getByRole('button', { name: 'Start this week’s review' }).click();
    const progress = page.locator('[data-testid="review-progress"]');
    await progress.waitFor();
    const total = Number(/of (\d+)/.exec((await progress.textContent())!)![1]);
    expect(total).toBeGreaterThanOrEqual(5);
    expect(await progress.textContent()).toBe(`0 of ${total}`);
    const review = (await getJson<{ data: { id: number }[] }>(`${dash.url}/api/v1/reviews`)).data[0]!;
    const queue = await getJson<{ items: { problem: { id: number; review_state: string; signal_count: number } }[] }>(`${dash.url}/api/v1/reviews/${review.id}`);
    const toVerifyAmongFirstFive = queue.items.slice(0, 5).filter((i) => i.problem.review_state === 'to_verify').length;
    await screenshot(page, '07-review-start');

    const keys = ['c', 'i', 'n', 'r', 'c'];
    for (const [n, key] of keys.entries()) {
      const shown = await page.locator('.review-item').getAttribute('data-problem-id');
      expect(Number(shown)).toBe(queue.items[n]!.problem.id);
      await page.keyboard.press(key);
      expect(await progress.textContent()).toBe(`${n + 1} of ${total}`);
    }
    // j / k move without deciding.
    const at = await page.locator('.review-item').getAttribute('data-problem-id');
    await page.keyboard.press('k');
    await expect.poll(() => page.locator('.review-item').getAttribute('data-problem-id')).not.toBe(at);
    await page.keyboard.press('j');
    await expect.poll(() => page.locator('.review-item').getAttribute('data-problem-id')).toBe(at);
    // The sixth: accept its release (a) and enter three hours of dev time (e, type, Enter).
    const sixth = queue.items[5]!.problem.id;
    expect(Number(await page.locator('.review-item').getAttribute('data-problem-id'))).toBe(sixth);
    await page.keyboard.press('a');
    await page.keyboard.press('e');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    // Merge: mark the seventh (j, x), then merge it into the eighth (j, g).
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    const keeper = Number(await page.locator('.review-item').getAttribute('data-problem-id'));
    await page.keyboard.press('g');
    // The decisions are saved in the background, in order; wait until they all are.
    await expect.poll(() => page.locator('[data-testid="review-saving"]').getAttribute('data-pending'), { timeout: 60_000 }).toBe('0');
    expect(await page.locator('.live .status.error').allTextContents()).toEqual([]);
    await screenshot(page, '08-review-five-done');

    const cost = await getJson<{ entries: { role: string; hours: number; note: string | null }[] }>(`${dash.url}/api/v1/problems/${sixth}/cost`);
    expect(cost.entries.filter((e) => e.note === 'weekly review')).toEqual([expect.objectContaining({ role: 'dev', hours: 3 })]);
    const sixthAfter = await getJson<{ problems: { attribution: { decided_by: string } }[] }>(`${dash.url}/api/v1/evidence?problems=${sixth}`);
    expect(sixthAfter.problems[0]!.attribution.decided_by).toBe('person');
    // One problem now holds the signals of both (it keeps the identity of the earliest signal).
    const pair = [queue.items[6]!.problem, queue.items[7]!.problem];
    expect(keeper).toBe(pair[1]!.id);
    const merged = await getJson<{ items: { problem: { id: number; signal_count: number } }[] }>(`${dash.url}/api/v1/reviews/${review.id}`);
    expect(merged.items).toHaveLength(total - 1);
    const survivors = merged.items.filter((i) => pair.some((p) => p.id === i.problem.id));
    expect(survivors).toHaveLength(1);
    expect(survivors[0]!.problem.signal_count).toBe(pair[0]!.signal_count + pair[1]!.signal_count);
    // The page shows the merged problem, counted as handled.
    expect(Number(await page.locator('.review-item').getAttribute('data-problem-id'))).toBe(survivors[0]!.problem.id);
    expect(await progress.textContent()).toBe(`7 of ${total - 1}`);

    // The decisions are stored: the first problem is now a confirmed code problem.
    const firstAfter = await getJson<{ problems: { type: string; review_state: string; type_decider: string }[] }>(`${dash.url}/api/v1/evidence?problems=${queue.items[0]!.problem.id}`);
    expect(firstAfter.problems[0]).toMatchObject({ type: 'code', review_state: 'confirmed', type_decider: 'person' });

    await page.keyboard.press('f');
    const summary = page.locator('[data-testid="review-summary"]');
    await summary.waitFor();
    expect(await summary.textContent()).toContain(`7 of ${total - 1} problems handled`);
    expect(await summary.textContent()).toContain('Merges: 1');
    expect(await summary.textContent()).toContain('Types confirmed: 2 code, 1 infra, 1 integration, 1 regression');
    await screenshot(page, '09-review-summary');

    // The five confirmed leave the count; confirmed types also retrain the model, which may settle others.
    await open('/');
    const after = await toVerify();
    expect(after).toBeLessThanOrEqual(before - toVerifyAmongFirstFive);
    expect(after).toBeLessThan(before);
    // The held review now counts on the readiness page.
    await open('/readiness');
    expect(await page.locator('[data-key="weekly_review"] .band').textContent()).toBe('ready');
  }, 90_000);

  test('noise is set aside with its reason; one click counts it again, another sets it aside', async () => {
    const listed = await getJson<{ data: { id: number; type_rationale: string }[] }>(`${dash.url}/api/v1/problems?review_state=dismissed&limit=1`);
    expect(listed.data).toHaveLength(1);
    const id = listed.data[0]!.id;
    expect(listed.data[0]!.type_rationale).toMatch(/^not counted \(set aside as noise\): /);
    const state = async () => (await getJson<{ problems: { review_state: string }[] }>(`${dash.url}/api/v1/evidence?problems=${id}`)).problems[0]!.review_state;

    await open(`/problems/${id}`);
    const banner = page.locator('[data-testid="set-aside"]');
    expect(await banner.textContent()).toMatch(/^Not counted \(set aside as noise\): a lone .+\. It is in no metric/);
    expect(await page.locator('#type-title + p + p + p.rationale').textContent()).not.toContain('not counted');
    await screenshot(page, '11-problem-set-aside');
    await page.getByRole('button', { name: 'Count it as an escaped problem' }).click();
    await page.getByRole('button', { name: 'Set aside: not an escaped problem' }).waitFor();
    expect(await state()).not.toBe('dismissed');

    await page.getByLabel('Not a problem? Why (optional)').fill('a flapping alert');
    await page.getByRole('button', { name: 'Set aside: not an escaped problem' }).click();
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/^Not counted \(set aside by [^)]+\): a flapping alert\./);
    expect(await state()).toBe('dismissed');
  }, 60_000);

  test('a problem title with HTML in it is shown as text', async () => {
    const title = '<img src=x onerror="window.__pwned=1"><b>bold</b> & <script>window.__pwned=2</script>';
    const response = await fetch(`${dash.url}/api/v1/import`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ record: 'signal', source: 'e2e', external_id: 'html-title', kind: 'alert', occurred_at: '2024-01-10T10:00:00Z', title, service: 'e2e-html', environment: 'production' }]),
    });
    expect(response.status).toBe(200);
    await runPipeline(dash.store, DEFAULT_CONFIG);
    const signal = (await getJson<{ data: { problem_id: number | null }[] }>(`${dash.url}/api/v1/signals?source=e2e`)).data[0]!;
    expect(signal.problem_id).not.toBeNull();

    await open(`/problems/${signal.problem_id}`);
    const heading = page.locator('h2.problem-title');
    expect(await heading.textContent()).toBe(title);
    expect(await heading.locator('img, b, script').count()).toBe(0);
    await open('/problems?service=e2e-html&period=2024');
    expect(await page.locator('table .problem-title').first().textContent()).toBe(title);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await screenshot(page, '10-html-title');
  }, 60_000);
});
