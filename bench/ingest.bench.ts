// Movie ingest speed: a 1080p H.264/AAC clip generated with native ffmpeg, decoded to 64×36 @ 1 fps
// plus 22050 Hz mono audio by native ffmpeg (the baseline, same machine, same run) and by the app
// in headless Chromium (drop → all sequences stored) through each of its decoders: WebCodecs
// (chosen automatically for this MP4) and ffmpeg.wasm (forced); then the same streams remuxed into
// MKV, by native ffmpeg and by WebCodecs through the Matroska demuxer. INGEST_BENCH_PRESET picks
// x264's preset: `ultrafast` (default: every picture a reference, no B-frames) or e.g. `medium`,
// encoded the way films are (CABAC, B-frames, some never referenced, which the WebCodecs path
// skips). Prints wall time, movie frames/s, the ratios (to native, ≤ 1.0 is the goal; WebCodecs to
// ffmpeg.wasm), the renderer processes' peak resident memory and the load average before and
// after (the machine is shared). INGEST_BENCH_ROUNDS > 1 repeats native ffmpeg and the WebCodecs
// path on the MP4 alternately that many times and prints each round's ratios and their medians:
// single runs swing by 10–15 % on a shared machine, native ffmpeg's own CPU time included.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { build, preview } from 'vite';
import { openBrowser } from '../tests/browser/chromium.ts';
import { launchFirefox } from '../tests/browser/firefox.ts';
import type { Benchmark } from './harness.ts';

const SECONDS = Number(process.env.INGEST_BENCH_SECONDS ?? 60);
const OUT = resolve('bench/out');
const PRESET = process.env.INGEST_BENCH_PRESET ?? 'ultrafast';
const ROUNDS = Math.max(1, Number(process.env.INGEST_BENCH_ROUNDS ?? 1));
const CLIP = resolve(OUT, `clip-1080p-${SECONDS}s-${PRESET}.mp4`);
/** The same streams in Matroska (`-c copy`). */
const CLIP_MKV = CLIP.replace(/\.mp4$/, '.mkv');

function hasNativeFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version']).status === 0;
}

function makeClip() {
  makeMp4();
  if (!existsSync(CLIP_MKV)) {
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', CLIP, '-c', 'copy', CLIP_MKV]);
  }
}

function makeMp4() {
  if (existsSync(CLIP)) return;
  mkdirSync(OUT, { recursive: true });
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=1920x1080:r=24:d=${SECONDS},noise=alls=12:allf=t`,
    '-f',
    'lavfi',
    '-i',
    `sine=f=440:r=48000:d=${SECONDS}`,
    '-c:v',
    'libx264',
    '-preset',
    PRESET,
    '-b:v',
    '5M',
    '-g',
    '132',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-ac',
    '2',
    '-shortest',
    CLIP,
  ]);
}

function timeNative(clip: string): { ms: number; cpuS: number } {
  const t0 = performance.now();
  const cpu0 = childrenCpuS();
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    clip,
    '-map',
    '0:v:0',
    '-vf',
    'fps=1,scale=64:36',
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    '-y',
    '/dev/null',
    '-map',
    '0:a:0',
    '-ac',
    '1',
    '-ar',
    '22050',
    '-f',
    'f32le',
    '-y',
    '/dev/null',
  ]);
  return { ms: performance.now() - t0, cpuS: childrenCpuS() - cpu0 };
}

/** Resident memory (kB) of Chromium's renderer processes, summed. */
function rendererRssKb(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += rss ? Number(rss[1]) : 0;
    } catch {
      // the process ended while we looked
    }
  }
  return total;
}

const CLK_TCK = 100;

/** CPU seconds (user + system) used so far by this process's live descendants (Chromium's). */
function descendantsCpuS(): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(pid), Number(f[1]));
      ticks.set(Number(pid), Number(f[11]) + Number(f[12]));
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    let p = parent.get(pid);
    while (p && p !== process.pid) p = parent.get(p);
    if (p === process.pid) total += t;
  }
  return total / CLK_TCK;
}

/** CPU seconds used by this process's finished, waited-for children (native ffmpeg). */
function childrenCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / CLK_TCK;
}

interface BrowserRun {
  ms: number;
  firstMs: number;
  peakMb: number;
  cpuS: number;
  path: string;
  /** Milliseconds per phase (WebCodecs path), from the page's `ingest-phases` mark. */
  phases: Record<string, number> | null;
}

async function timeBrowser(
  url: string,
  decoder: 'auto' | 'ffmpeg.wasm',
  clip = CLIP,
): Promise<BrowserRun> {
  const session = await openBrowser();
  try {
    const { page } = session;
    await page.goto(url);
    await page.getByLabel('New project name').fill('Bench');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('project').filter({ hasText: 'Bench' }).waitFor();
    await page.getByTestId('decoder-choice').selectOption(decoder);
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, rendererRssKb())), 250);
    const t0 = performance.now();
    const cpu0 = descendantsCpuS();
    await page.getByTestId('movie-files').setInputFiles(clip);
    const row = page.locator(`tr[data-movie="clip-1080p-${SECONDS}s-${PRESET}"]`);
    // When the first decoded second shows: what came before is probing and starting the decoder.
    await row
      .getByTestId('progress')
      .filter({ hasText: /^[1-9]/ })
      .waitFor({ timeout: 3_600_000 });
    const firstMs = performance.now() - t0;
    await row
      .getByTestId('state')
      .filter({ hasText: /complete|failed/ })
      .waitFor({ timeout: 3_600_000 });
    const ms = performance.now() - t0;
    clearInterval(poll);
    const state = await row.getByTestId('state').textContent();
    if (!state?.includes('complete')) throw new Error(`ingest failed: ${state}`);
    const path = (await row.getByTestId('decoder').textContent())?.trim() ?? '?';
    const phases = await page.evaluate(
      () =>
        (performance.getEntriesByName('ingest-phases')[0] as PerformanceMark | undefined)
          ?.detail as Record<string, number> | undefined,
    );
    return {
      phases: phases ?? null,
      ms,
      firstMs,
      peakMb: peak / 1024,
      cpuS: descendantsCpuS() - cpu0,
      path,
    };
  } finally {
    await session.close();
  }
}

/**
 * The same ingest in Firefox (default prefs: its VideoDecoder, no WebGPU needed here), driven
 * through the page's DOM since puppeteer has no playwright locators.
 */
async function timeFirefox(url: string, clip = CLIP): Promise<BrowserRun> {
  const { browser, page } = await launchFirefox(false);
  try {
    await page.goto(url);
    await page.waitForSelector('[data-testid="no-project"], [data-testid="project"]');
    await page.type('input[aria-label="New project name"]', 'Bench');
    await page.click('form button[type="submit"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="project"]')?.textContent?.includes('Bench'),
    );
    const input = await page.waitForSelector('[data-testid="movie-files"]');
    const t0 = performance.now();
    const cpu0 = descendantsCpuS();
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(clip);
    const row = `tr[data-movie="clip-1080p-${SECONDS}s-${PRESET}"]`;
    const text = (id: string) =>
      page.evaluate(
        (sel) => document.querySelector(sel)?.textContent?.trim() ?? '',
        `${row} [data-testid="${id}"]`,
      );
    let firstMs = 0;
    for (;;) {
      if (!firstMs && /^[1-9]/.test(await text('progress'))) firstMs = performance.now() - t0;
      if (/complete|failed/.test(await text('state'))) break;
      if (performance.now() - t0 > 3_600_000) throw new Error('Firefox ingest timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ms = performance.now() - t0;
    const state = await text('state');
    if (!state.includes('complete')) throw new Error(`ingest failed in Firefox: ${state}`);
    return {
      phases: null,
      ms,
      firstMs,
      peakMb: 0,
      cpuS: descendantsCpuS() - cpu0,
      path: `Firefox ${await text('decoder')}`,
    };
  } finally {
    await browser.close();
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const bench: Benchmark = {
  title: `ingest of a ${SECONDS}-s 1080p H.264/AAC clip (x264 ${PRESET}) to 64×36 @ 1 fps + 22050 Hz mono`,
  async run() {
    if (!hasNativeFfmpeg()) {
      console.log('native ffmpeg not found: skipped (it generates the clip and is the baseline)');
      return;
    }
    makeClip();
    await build({ mode: 'test', logLevel: 'warn' });
    const server = await preview({
      mode: 'test',
      preview: { port: 0, host: '127.0.0.1' },
      logLevel: 'warn',
    });
    const url = server.resolvedUrls!.local[0];
    console.log(`load average before: ${load()}`);
    const runs: BrowserRun[] = [];
    const rounds: { native: { ms: number; cpuS: number }; app: BrowserRun }[] = [];
    let native: { ms: number; cpuS: number };
    let nativeMkv: { ms: number; cpuS: number };
    let mkv: BrowserRun;
    let firefox: BrowserRun;
    let nativeForFirefox: { ms: number; cpuS: number };
    try {
      native = timeNative(CLIP);
      runs.push(await timeBrowser(url, 'auto'));
      rounds.push({ native, app: runs[0] });
      while (rounds.length < ROUNDS) {
        rounds.push({ native: timeNative(CLIP), app: await timeBrowser(url, 'auto') });
      }
      runs.push(await timeBrowser(url, 'ffmpeg.wasm'));
      nativeMkv = timeNative(CLIP_MKV);
      mkv = await timeBrowser(url, 'auto', CLIP_MKV);
      nativeForFirefox = timeNative(CLIP);
      firefox = await timeFirefox(url);
    } finally {
      await server.close();
    }
    console.log(`load average after: ${load()}`);
    const frames = SECONDS;
    const nativeMs = native.ms;
    console.log(
      `native ffmpeg: ${(nativeMs / 1000).toFixed(1)} s, ${((frames * 1000) / nativeMs).toFixed(1)} movie frames/s, ` +
        `CPU ${native.cpuS.toFixed(1)} s`,
    );
    const print = (app: BrowserRun, base: { ms: number; cpuS: number }) => {
      console.log(
        `${app.path}: ${(app.ms / 1000).toFixed(1)} s, ${((frames * 1000) / app.ms).toFixed(1)} movie frames/s, ` +
          `ratio to native ${(app.ms / base.ms).toFixed(2)}, first second decoded after ` +
          `${(app.firstMs / 1000).toFixed(1)} s, renderer peak RSS ${app.peakMb ? `${app.peakMb.toFixed(0)} MB` : 'not measured'}, ` +
          `browser CPU ${app.cpuS.toFixed(1)} s (ratio ${(app.cpuS / base.cpuS).toFixed(2)})`,
      );
      if (app.phases) {
        const { movie: _movie, ...ms } = app.phases;
        const list = Object.entries(ms).map(([k, v]) => `${k} ${(Number(v) / 1000).toFixed(2)}`);
        console.log(
          `  phases, s (overlapping; decoders run on their own threads): ${list.join(', ')}`,
        );
      }
    };
    for (const app of runs) print(app, native);
    const [webcodecs, wasm] = runs;
    console.log(`WebCodecs path / ffmpeg.wasm path: ${(webcodecs.ms / wasm.ms).toFixed(2)}`);
    console.log(
      `MKV (same streams): native ffmpeg ${(nativeMkv.ms / 1000).toFixed(1)} s, CPU ` +
        `${nativeMkv.cpuS.toFixed(1)} s; ratios below are to native on the MKV`,
    );
    print(mkv, nativeMkv);
    console.log(
      `Firefox row: native ffmpeg run just before it ${(nativeForFirefox.ms / 1000).toFixed(1)} s; ` +
        `ratios to that run (goal ≤ 1.5 wall on medium)`,
    );
    print(firefox, nativeForFirefox);
    if (rounds.length > 1) {
      const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
      const wall = rounds.map((r) => r.app.ms / r.native.ms);
      const cpu = rounds.map((r) => r.app.cpuS / r.native.cpuS);
      rounds.forEach((r, i) =>
        console.log(
          `round ${i + 1}: native ${(r.native.ms / 1000).toFixed(1)} s / ${r.native.cpuS.toFixed(1)} s CPU, ` +
            `WebCodecs ${(r.app.ms / 1000).toFixed(1)} s / ${r.app.cpuS.toFixed(1)} s CPU: ` +
            `ratios ${wall[i].toFixed(2)} wall, ${cpu[i].toFixed(2)} CPU`,
        ),
      );
      console.log(
        `WebCodecs / native over ${rounds.length} alternating rounds, medians: ` +
          `${median(wall).toFixed(2)} wall, ${median(cpu).toFixed(2)} CPU`,
      );
    }
  },
};
export default bench;
