// What the Matroska demuxer's one pass over a long file costs: Matroska has no sample table, so
// `readMatroskaIndex` reads the whole file once (in 16-MB windows) to find every block. A long
// 1080p H.264/AAC MKV (MKV_INDEX_BENCH_MINUTES, default 30: ~1.1 GB at 5 Mb/s) is made with native
// ffmpeg by looping a 30-s clip (`-c copy`); the baseline is reading the same file through the same
// 16-MB slices without parsing (the I/O alone), in the same run. Node's Blob stands in for the
// browser's File (the page's figure is the WebCodecs run's `index` phase in
// `npm run bench ingest`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openAsBlob, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { readMatroskaIndex } from '../src/lib/ingest/mkv-index.ts';
import type { Benchmark } from './harness.ts';

const MINUTES = Number(process.env.MKV_INDEX_BENCH_MINUTES ?? 30);
const OUT = resolve('bench/out');
const LOOP = resolve(OUT, 'mkv-loop-30s.mkv');
const LONG = resolve(OUT, `mkv-long-${MINUTES}min.mkv`);

function makeFile() {
  mkdirSync(OUT, { recursive: true });
  const ff = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  if (!existsSync(LOOP)) {
    ff(
      ...['-f', 'lavfi', '-i', 'testsrc2=s=1920x1080:r=24:d=30,noise=alls=12:allf=t'],
      ...['-f', 'lavfi', '-i', 'sine=f=440:r=48000:d=30'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '5M', '-g', '132'],
      ...['-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', '-shortest', LOOP],
    );
  }
  if (!existsSync(LONG)) {
    ff('-stream_loop', String(MINUTES * 2 - 1), '-i', LOOP, '-c', 'copy', LONG);
  }
}

async function readAll(file: Blob): Promise<number> {
  let bytes = 0;
  for (let at = 0; at < file.size; at += 16 << 20) {
    bytes += (await file.slice(at, at + (16 << 20)).arrayBuffer()).byteLength;
  }
  return bytes;
}

const bench: Benchmark = {
  title: `Matroska index of a ${MINUTES}-min 1080p H.264/AAC MKV (one pass over the file)`,
  async run() {
    if (spawnSync('ffmpeg', ['-version']).status !== 0) {
      console.log('native ffmpeg not found: skipped (it makes the file)');
      return;
    }
    makeFile();
    const mb = statSync(LONG).size / 2 ** 20;
    const blob = await openAsBlob(LONG);
    let t0 = performance.now();
    await readAll(blob);
    const ioMs = performance.now() - t0;
    const heap0 = process.memoryUsage().heapUsed;
    t0 = performance.now();
    const index = await readMatroskaIndex(blob);
    const ms = performance.now() - t0;
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    console.log(
      `file ${mb.toFixed(0)} MB, ${index.samples.length} video + ${index.audio?.samples.length ?? 0} audio samples`,
    );
    console.log(`reading it in 16-MB slices (baseline): ${(ioMs / 1000).toFixed(2)} s`);
    console.log(
      `readMatroskaIndex: ${(ms / 1000).toFixed(2)} s (${(mb / (ms / 1000)).toFixed(0)} MB/s, ` +
        `ratio to reading ${(ms / ioMs).toFixed(2)}), ${(index.bytesRead / 2 ** 20).toFixed(0)} MB read, ` +
        `heap grew ${heapMb.toFixed(0)} MB (the index)`,
    );
  },
};
export default bench;
