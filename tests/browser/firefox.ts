// Finds and launches Debian's Firefox ESR (never a downloaded browser) through puppeteer-core's
// WebDriver BiDi support, with default prefs or with WebGPU switched on (wgpu over Mesa's
// lavapipe on a machine without a GPU).
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

export function findFirefox(): string {
  const path = process.env.FIREFOX_PATH ?? CANDIDATES.find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    throw new Error(
      "No Firefox found for the browser tests. Install Debian's firefox-esr (`apt-get update && " +
        'apt-get install -y firefox-esr mesa-vulkan-drivers`) or set FIREFOX_PATH to a Firefox ' +
        'binary. Browser tests never skip.',
    );
  }
  return path;
}

/** The prefs that give Firefox on Linux a WebGPU adapter (off by default there). */
export const FIREFOX_WEBGPU_PREFS = {
  'dom.webgpu.enabled': true,
  'gfx.webgpu.ignore-blocklist': true,
};

export async function launchFirefox(webgpu: boolean): Promise<{ browser: Browser; page: Page }> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: findFirefox(),
    headless: true,
    extraPrefsFirefox: webgpu ? FIREFOX_WEBGPU_PREFS : {},
    defaultViewport: { width: 1280, height: 900 },
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  return { browser, page };
}
