// One Chromium per describe block, opened before its tests and closed after them. Kept apart from
// chromium.ts, which the global setup imports outside any test file.
import { afterAll, beforeAll } from 'vitest';
import { openBrowser, type BrowserSession } from './chromium';

/**
 * Registers the block's hooks: open the browser, then run `setup`; close it after the tests. The
 * returned session is filled in when the browser opens.
 */
export function useBrowser(setup?: () => Promise<void>): BrowserSession & { errors: string[] } {
  const session = {} as BrowserSession & { errors: string[] };
  beforeAll(async () => {
    Object.assign(session, await openBrowser());
    await setup?.();
  });
  afterAll(async () => {
    await session.close?.();
  });
  return session;
}
