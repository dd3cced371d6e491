// Every picture format a browser's VideoDecoder emits, read by DecodedPictures and scaled, against
// native ffmpeg: the pictures are native ffmpeg's own (a blurred test pattern with 12-bit detail,
// converted by ffmpeg to each format), laid out as `copyTo` lays them out (padded rows), and the
// stored bytes are compared with native ffmpeg scaling the same stream. For the packed RGB formats
// the stream is 4:2:0 and ffmpeg plays the browser that converted it to RGB before handing it out
// (Firefox's BGRX for H.264).
import { describe, expect, it } from 'vitest';
import { DecodedPictures, type PlaneSpan } from '../../src/lib/ingest/pixel-formats';
import type { ScaleTarget } from '../../src/lib/ingest/scale';
import { videoFilter } from '../../src/lib/ingest/plan';
import { runNativeFfmpeg } from '../native-ffmpeg';

const W = 482;
const H = 270;
/**
 * A pattern with detail below 8 bits (gblur on 12-bit), so narrowing to 8 bits is exercised;
 * desaturated, since a decoder's RGB clips colours outside the RGB cube (testsrc2's bars are) and
 * no reader can bring those back.
 */
const SOURCE = [
  '-f',
  'lavfi',
  '-i',
  `testsrc2=s=${W}x${H}:r=1:d=3,format=yuv444p12le,gblur=sigma=1.5,hue=s=0.6`,
];

interface FormatCase {
  format: string;
  /** ffmpeg's name for the format the pictures are made in. */
  pixFmt: string;
  /** The stream's own format, which native ffmpeg scales (RGB: what the browser converted). */
  stream: string;
  /** RGB formats: R, G and B's byte within a pixel. */
  order?: number[];
  /** The matrix the browser converted RGB with (Firefox: BT.709 on an untagged stream). */
  converted?: 'bt709';
  /** Plane sizes: [width divisor, height divisor, bytes per sample, samples per pixel]. */
  planes: [number, number, number, number][];
}

const yuv = (sx: number, sy: number, bytes: number, alpha: boolean): FormatCase['planes'] => [
  [1, 1, bytes, 1],
  [sx, sy, bytes, 1],
  [sx, sy, bytes, 1],
  ...(alpha ? [[1, 1, bytes, 1] as [number, number, number, number]] : []),
];

function planarCase(format: string): FormatCase {
  const [, sub, alpha, bits] = /^I4(20|22|44)(A?)(?:P(10|12))?$/.exec(format)!;
  const pixFmt = `yuv${alpha ? 'a' : ''}4${sub}p${bits ? `${bits}le` : ''}`;
  const [sx, sy] = sub === '20' ? [2, 2] : sub === '22' ? [2, 1] : [1, 1];
  return { format, pixFmt, stream: pixFmt, planes: yuv(sx, sy, bits ? 2 : 1, alpha === 'A') };
}

const rgbCase = (format: string, pixFmt: string, order: number[]): FormatCase => ({
  format,
  pixFmt,
  order,
  stream: 'yuv420p',
  planes: [[1, 1, 1, 4]],
});

const CASES: FormatCase[] = [
  ...['I420', 'I420A', 'I422', 'I444', 'I422A', 'I444A'].map(planarCase),
  ...['I420P10', 'I420P12', 'I422P10', 'I422P12', 'I444P10', 'I444P12'].map(planarCase),
  ...['I420AP10', 'I444AP12'].map(planarCase),
  {
    format: 'NV12',
    pixFmt: 'nv12',
    stream: 'yuv420p',
    planes: [
      [1, 1, 1, 1],
      [2, 2, 1, 2],
    ],
  },
  rgbCase('RGBA', 'rgba', [0, 1, 2]),
  rgbCase('RGBX', 'rgb0', [0, 1, 2]),
  rgbCase('BGRA', 'bgra', [2, 1, 0]),
  rgbCase('BGRX', 'bgr0', [2, 1, 0]),
  { ...rgbCase('BGRX', 'bgr0', [2, 1, 0]), converted: 'bt709' },
];

/**
 * A browser's YUV → RGB conversion, as libyuv (Firefox, Chromium) makes it: limited range, chroma
 * weights in 1/64 from libyuv's tables (blue-from-U capped at 128), each 2×2 block sharing its
 * chroma sample. Firefox's BGRX frames of h264-aac.mp4 match this (blue exactly).
 */
const LIBYUV = {
  bt601: { ub: 128, ug: 25, vg: 52, vr: 102 },
  bt709: { ub: 128, ug: 14, vg: 34, vr: 115 },
};

/** 4:2:0 frames (W×H) to packed RGB(X) with `order` giving R, G, B's byte within a pixel. */
function browserRgb(yuv: Uint8Array, order: number[], matrix: 'bt601' | 'bt709'): Uint8Array {
  const { ub, ug, vg, vr } = LIBYUV[matrix];
  const [cw, ch] = [Math.ceil(W / 2), Math.ceil(H / 2)];
  const frameBytes = W * H + 2 * cw * ch;
  const out = new Uint8Array((yuv.length / frameBytes) * W * H * 4).fill(255);
  const byte = (x: number) => Math.min(255, Math.max(0, Math.round(x)));
  for (let f = 0, o = 0; f < yuv.length / frameBytes; f++) {
    const base = f * frameBytes;
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++, o += 4) {
        const i = base + W * H + (r >> 1) * cw + (c >> 1);
        const [u, v] = [yuv[i] - 128, yuv[i + cw * ch] - 128];
        const l = ((yuv[base + r * W + c] - 16) * 255) / 219;
        out[o + order[0]] = byte(l + (vr * v) / 64);
        out[o + order[1]] = byte(l - (ug * u + vg * v) / 64);
        out[o + order[2]] = byte(l + (ub * u) / 64);
      }
    }
  }
  return out;
}

/** Row padding, as decoders align their strides. */
const PAD = 24;

/** Native ffmpeg's pictures of `c` and where each plane lies once re-laid with padded rows. */
function picturesOf(c: FormatCase): { data: Uint8Array; planes: PlaneSpan[] }[] {
  const raw = runNativeFfmpeg([
    ...SOURCE,
    '-vf',
    c.order ? `format=${c.stream}` : `format=${c.stream},format=${c.pixFmt}`,
    '-f',
    'rawvideo',
    '-',
  ]);
  const pictureBytes = c.order ? browserRgb(raw, c.order, c.converted ?? 'bt601') : raw;
  const dims = c.planes.map(([dx, dy, b, n]) => ({
    row: Math.ceil(W / dx) * b * n,
    rows: Math.ceil(H / dy),
  }));
  const packed = dims.reduce((s, d) => s + d.row * d.rows, 0);
  expect(pictureBytes.length % packed).toBe(0);
  const pictures = [];
  for (let at = 0; at < pictureBytes.length;) {
    const planes: PlaneSpan[] = [];
    let offset = 8; // copyTo may be given a buffer whose planes do not start at 0
    for (const d of dims) {
      planes.push({ offset, stride: d.row + PAD });
      offset += (d.row + PAD) * d.rows;
    }
    const data = new Uint8Array(offset);
    dims.forEach((d, i) => {
      for (let r = 0; r < d.rows; r++, at += d.row)
        data.set(pictureBytes.subarray(at, at + d.row), planes[i].offset + r * planes[i].stride);
    });
    pictures.push({ data, planes });
  }
  return pictures;
}

function madVsNative(c: FormatCase, target: ScaleTarget): number {
  const native = runNativeFfmpeg([
    ...SOURCE,
    '-vf',
    `format=${c.stream},${videoFilter(target)}`,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    '-',
  ]);
  const reader = new DecodedPictures(W, H, target);
  const frameBytes = target.width * target.height * 3;
  const pictures = picturesOf(c);
  expect(native.length).toBe(pictures.length * frameBytes);
  let sum = 0;
  pictures.forEach(({ data, planes }, f) => {
    // As the worker does: copyTo writes into the buffer `destination` gives.
    const dst = reader.destination(c.format, data.length);
    dst.set(data);
    const stream = { matrix: 'bt601', fullRange: false } as const;
    const converted = { matrix: c.converted ?? 'bt601', fullRange: false } as const;
    const rgb = reader.scale(c.format, dst, planes, stream, converted);
    for (let i = 0; i < frameBytes; i++) sum += Math.abs(rgb[i] - native[f * frameBytes + i]);
  });
  return sum / native.length;
}

/**
 * MAD bounds vs native ffmpeg. 8-bit YUV and RGB: 0.15 (the WebCodecs ingest's I420 bound is
 * 0.1; 4:2:2 at 128×72 sits near 0.12; RGB read back from libyuv's conversion equals I420's).
 * 10/12-bit: the samples are rounded to 8 bits before the 8-bit kernel scales them, where swscale
 * keeps 15 bits: 0.5, the ffmpeg.wasm path's bound.
 */
const tolerance = (format: string) => (/P1[02]$/.test(format) ? 0.5 : 0.15);

describe('DecodedPictures: every decoder format scaled as native ffmpeg scales the stream', () => {
  const targets: ScaleTarget[] = [
    { width: 64, height: 36, fit: 'stretch' },
    { width: 128, height: 72, fit: 'stretch' },
  ];
  for (const c of CASES) {
    it(`${c.format} (${c.pixFmt}${c.converted ? `, converted with ${c.converted}` : ''})`, () => {
      for (const target of targets) {
        const m = madVsNative(c, target);
        console.log(
          `${c.format}${c.converted ?? ''} → ${target.width}×${target.height} ${target.fit}: MAD vs native ${m.toFixed(4)}`,
        );
        expect(m).toBeLessThan(tolerance(c.format));
      }
    });
  }

  it('refuses a format it cannot read, saying which', () => {
    const reader = new DecodedPictures(W, H, targets[0]);
    expect(() => reader.destination('P010', 100)).toThrow(/unsupported picture format P010/);
  });
});
