// Drives the dashboard in Debian's Chromium: the real server (buildApp over a fresh SQLite file) on a
// free loopback port, the built web app, screenshots under test-artifacts/e2e/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_CONFIG } from '../../src/domain/config.ts';
import { buildApp, WEB_DIST } from '../../src/server/app.ts';
import { openStore, type Store } from '../../src/store/connection.ts';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');

/** Why the browser tests cannot run here, or null. */
export function browserSkipReason(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is absent (apt-get install chromium)`;
}

/** Builds web/dist when it is missing, so a fresh checkout can run the suite. */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(WEB_DIST, 'index.html'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(ROOT, 'web/vite.config.ts')], { cwd: ROOT, stdio: 'inherit' });
}

export interface Dashboard {
  url: string;
  store: Store;
  close(): Promise<void>;
}

/** Serves a fresh SQLite file, or `dbPath` as it is (kept on close). */
export async function startDashboard(options: { dbPath?: string } = {}): Promise<Dashboard> {
  ensureDashboardBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'escapement-e2e-'));
  const store = await openStore({ dbPath: options.dbPath ?? join(dir, 'e2e.db') });
  const app = await buildApp({ store, config: DEFAULT_CONFIG });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    store,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Collects page errors and failed requests, so a test can assert the page ran cleanly. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Fetches JSON from the server under test. */
export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Clicks a bar of an ECharts chart by its data coordinates, the way a person would. */
export async function clickChartBar(page: Page, chartLabel: string, seriesIndex: number, dataIndex: number, value: number): Promise<void> {
  const chart = page.locator(`[data-chart="${chartLabel}"]`);
  await chart.waitFor();
  const point = await chart.evaluate(
    (el: unknown, args) => {
      const instance = (el as { escapementChart?: { convertToPixel(finder: object, value: unknown[]): number[] } }).escapementChart;
      if (!instance) throw new Error('no chart instance on the element');
      const [x, y] = instance.convertToPixel({ seriesIndex: args.seriesIndex }, [args.dataIndex, args.value]);
      return { x: x!, y: y! };
    },
    { seriesIndex, dataIndex, value },
  );
  const box = (await chart.boundingBox())!;
  // Just inside the top of the bar's segment.
  await page.mouse.click(box.x + point.x, box.y + point.y + 3);
}
