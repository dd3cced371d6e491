// Where browser tests save the pictures they take of the app. `npm run screenshots` sets
// CINEBREATH_SCREENSHOTS to refresh the README's figures in static/screenshots; a plain test run
// writes them under test-results/ (ignored), so `npm test` never changes a tracked file.
import { join } from 'node:path';

const DIR = process.env.CINEBREATH_SCREENSHOTS ? 'static/screenshots' : 'test-results/screenshots';

export function screenshotPath(name: string): string {
  return join(DIR, name);
}
