// PDF through headless Chromium (playwright-core): the HTML rendering printed to A4. Shell (spawns a browser).
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = process.env.ESCAPEMENT_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export class ChromiumMissingError extends Error {}

export function chromiumAvailable(path = CHROMIUM_PATH): boolean {
  return existsSync(path);
}

/** Prints self-contained HTML to PDF; a slide prints landscape. No network: the page has no external assets. */
export async function renderPdf(html: string, options: { landscape?: boolean; executablePath?: string } = {}): Promise<Buffer> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  if (!chromiumAvailable(executablePath)) {
    throw new ChromiumMissingError(`PDF needs Chromium at ${executablePath}, which is not there: install it (Debian: apt-get install -y chromium) or set ESCAPEMENT_CHROMIUM to its path; --format html gives the same report without it`);
  }
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    // A production install without dev dependencies lacks it.
    throw new ChromiumMissingError('PDF needs the playwright-core package (npm install playwright-core); --format html gives the same report without it');
  }
  const browser = await chromium.launch({ executablePath, args: ARGS, headless: true });
  try {
    const page = await browser.newPage();
    // Links to the dashboard stay links; nothing is fetched while printing.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', landscape: options.landscape ?? false, printBackground: true, preferCSSPageSize: true });
  } finally {
    await browser.close();
  }
}
