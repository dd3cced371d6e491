// The browser engines the smoke suite runs in, behind the few page operations it needs, so one
// suite drives Chromium (playwright-core) and Firefox (puppeteer-core, WebDriver BiDi) alike.
import { openBrowser } from './chromium';
import { launchFirefox } from './firefox';

export interface EnginePage {
  goto(url: string): Promise<void>;
  /** Runs `fn(arg)` in the page and returns its (JSON-serialisable) result. */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Puts files into the file input matching `selector`, as a user picking them does. */
  setFiles(selector: string, paths: string[]): Promise<void>;
  /** Page errors and console errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export interface Engine {
  name: string;
  /** Whether this configuration offers WebGPU (the suite checks it does, or does not). */
  webgpu: boolean;
  open(): Promise<EnginePage>;
}

const chromium: Engine = {
  name: 'Chromium',
  webgpu: true,
  async open() {
    const s = await openBrowser();
    return {
      goto: async (url) => void (await s.page.goto(url)),
      evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) =>
        s.page.evaluate(fn as (arg: unknown) => Promise<R>, arg as unknown),
      setFiles: (selector, paths) => s.page.setInputFiles(selector, paths),
      errors: s.errors,
      close: () => s.close(),
    };
  },
};

function firefox(webgpu: boolean): Engine {
  return {
    name: webgpu ? 'Firefox (WebGPU prefs)' : 'Firefox (default prefs)',
    webgpu,
    async open() {
      const { browser, page } = await launchFirefox(webgpu);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`pageerror: ${(e as Error).message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      return {
        goto: async (url) => void (await page.goto(url)),
        evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) =>
          page.evaluate(fn as unknown as (arg: unknown) => Promise<R>, arg) as Promise<R>,
        async setFiles(selector, paths) {
          const input = await page.$(selector);
          if (!input) throw new Error(`no file input ${selector}`);
          await (input as unknown as { uploadFile(...p: string[]): Promise<void> }).uploadFile(
            ...paths,
          );
        },
        errors,
        close: () => browser.close(),
      };
    },
  };
}

/**
 * Every engine configuration the smoke suite runs in; SMOKE_ENGINES=firefox (a part of the name,
 * any case) runs only those matching, while working on one engine.
 */
export const ENGINES: Engine[] = [chromium, firefox(false), firefox(true)].filter((e) =>
  e.name.toLowerCase().includes((process.env.SMOKE_ENGINES ?? '').toLowerCase()),
);
