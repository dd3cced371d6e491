// Finds and launches the system Chromium (never a downloaded browser) with a WebGPU adapter.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string {
  const path = process.env.CHROME_PATH ?? CANDIDATES.find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    throw new Error(
      "No Chromium found for the browser tests. Install Debian's chromium " +
        '(`apt-get update && apt-get install -y chromium`) or set CHROME_PATH to a Chromium binary. ' +
        'Browser tests never skip.',
    );
  }
  return path;
}

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * A fresh persistent profile (so IndexedDB survives reloads within the session) on its own
 * temporary directory. Page errors and console errors are collected for the test to assert on.
 */
export async function openBrowser(): Promise<BrowserSession & { errors: string[] }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'cinebreath-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: false, // --headless=new is passed explicitly: WebGPU needs the new headless mode
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { context, page, errors, close: () => context.close() };
}

export type { Browser, Page };
