/**
 * The scaler's two passes as a tiny WebAssembly SIMD module, written with the project's
 * assembler (`util/wasm-assembler.ts`: no toolchain in the build). Scaling a 1080p picture to
 * 64×36 is ~12 M multiply-adds in the vertical pass and ~0.6 M in the horizontal one; in plain JS
 * they cost ~2 ns each. Both passes are float32, four lanes per operation (float64 has two): the
 * vertical pass costs ~1.9 ms per 1080p picture (float64 f64x2: 4.75 ms), the horizontal one and
 * the RGB conversion ~0.3 ms (float64 JS: 1.25 ms).
 *
 * `vpass(src, stride, taps, nTaps, outRows, blocks, out)`: for each output row `o` and each
 * 32-byte column block, out[o][x] = Σ_t w[o·nTaps + t] · src[row[o·nTaps + t]·stride + x], t
 * ascending; `taps` holds (i32 clamped source row, f32 weight) pairs, nTaps per output row;
 * `out` rows are blocks·32 floats. Each 16 source bytes become four u32 vectors by an
 * i8x16.swizzle with constant indices each (the shuffle unit, leaving the arithmetic units, which
 * bound this loop, to the conversions, multiplies and adds; masks and shifts cost ~10 % more),
 * then f32 by the signed conversion (one x64 instruction, the unsigned one is emulated by
 * several). Reads up to 31 bytes past a row's width.
 *
 * `hpass(mid, rowBytes, rows, starts, weights, nTaps, outW, out)`: for each row r < rows and
 * output pixel o, out[r·outW + o] = Σ_k weights[o·nTaps + k] · mid[r·rowBytes + starts[o] + 4k]:
 * a contiguous dot product (`starts` in bytes; the caller folds the taps past an edge onto the
 * edge pixel and pads each output's weights with zeros to nTaps, a multiple of HPASS_STEP).
 * Reads nTaps floats from each start.
 */
import {
  END,
  Fn,
  I32,
  LOOP,
  V128,
  brIf,
  f32store,
  i32c,
  i32load,
  kernelInstances,
  op,
  vbytes,
  vconst32,
  vload,
  vloadAt,
  vloadSplat32,
  vstoreAt,
} from '../util/wasm-assembler';

/**
 * Source bytes per vertical step: two 16-byte vectors into eight f32x4 accumulators (16 or 48
 * bytes per step measured within noise of this).
 */
export const VPASS_BLOCK = 32;
const GROUPS = VPASS_BLOCK / 16;
const ACC = Array.from({ length: 4 * GROUPS }, (_, i) => `a${i}`);

function vpassFn(): Fn {
  const f = new Fn(
    ['src', 'stride', 'taps', 'nTaps', 'outRows', 'blocks', 'out'].map((n) => [n, I32]),
  );
  f.locals(I32, 'o', 'x', 'tp', 'tEnd', 'at', 'ra');
  f.locals(V128, ...ACC, 'px', 'w');
  /** acc += f32(lanes on the stack) · w. */
  const accumulate = (acc: string) => [
    ...op.f32x4FromI32,
    ...f.g('w'),
    ...op.f32x4mul,
    ...f.g(acc),
    ...op.f32x4add,
    ...f.s(acc),
  ];
  /** Pixels 4q…4q+3 of px as u32 lanes (a swizzle index out of range gives a zero byte). */
  const quarter = (q: number) => [
    ...f.g('px'),
    ...vbytes([0, 1, 2, 3].flatMap((j) => [4 * q + j, 0x80, 0x80, 0x80])),
    ...op.swizzle,
  ];
  f.emit(
    i32c(0),
    f.s('o'),
    LOOP, // each output row
    i32c(0),
    f.s('x'),
    LOOP, // each 32-byte column block
    vconst32(0),
    ...ACC.slice(0, -1).map((a) => f.t(a)),
    f.s(ACC[ACC.length - 1]),
    // tp = taps + o·nTaps·8, tEnd = tp + nTaps·8
    [...f.g('o', 'nTaps'), ...op.i32mul, ...i32c(8), ...op.i32mul, ...f.g('taps'), ...op.i32add],
    [...f.t('tp'), ...f.g('nTaps'), ...i32c(8), ...op.i32mul, ...op.i32add, ...f.s('tEnd')],
    [...f.g('src', 'x'), ...op.i32add, ...f.s('at')],
    LOOP, // each tap
    // w = splat(weight); ra = src + x + row·stride, GROUPS vectors of 16 bytes from there
    [...f.g('tp'), ...vloadSplat32(4), ...f.s('w')],
    [...f.g('tp'), ...i32load(), ...f.g('stride'), ...op.i32mul, ...f.g('at'), ...op.i32add],
    f.s('ra'),
    ...Array.from({ length: GROUPS }, (_, g) => [
      [...f.g('ra'), ...vloadAt(16 * g), ...f.s('px')],
      ...[0, 1, 2, 3].map((q) => [...quarter(q), ...accumulate(ACC[4 * g + q])]),
    ]).flat(),
    f.loopWhileBelow('tp', 'tEnd', 8),
    // store the sums at out + (o·blocks·32 + x)·4
    [...f.g('out', 'o', 'blocks'), ...op.i32mul, ...i32c(VPASS_BLOCK), ...op.i32mul, ...f.g('x')],
    [...op.i32add, ...i32c(4), ...op.i32mul, ...op.i32add, ...f.s('at')],
    ...ACC.map((a, i) => [...f.g('at', a), ...vstoreAt(16 * i)]),
    [...f.g('x'), ...i32c(VPASS_BLOCK), ...op.i32add, ...f.t('x')],
    [...f.g('blocks'), ...i32c(VPASS_BLOCK), ...op.i32mul, ...op.i32ltU],
    brIf(0),
    END,
    f.loopWhileBelow('o', 'outRows'),
  );
  return f;
}

/** Taps per horizontal step: two f32x4 accumulators, so that consecutive adds do not wait. */
export const HPASS_STEP = 8;

function hpassFn(): Fn {
  const f = new Fn(
    ['mid', 'rowBytes', 'rows', 'starts', 'weights', 'nTaps', 'outW', 'out'].map((n) => [n, I32]),
  );
  f.locals(I32, 'r', 'o', 'p', 'wp', 'pEnd');
  f.locals(V128, 'acc', 'acc2');
  f.emit(
    i32c(0),
    f.s('r'),
    LOOP, // each row
    i32c(0),
    f.s('o'),
    LOOP, // each output pixel
    vconst32(0),
    f.t('acc'),
    f.s('acc2'),
    // p = mid + r·rowBytes + starts[o], wp = weights + o·nTaps·4, pEnd = p + nTaps·4
    [...f.g('mid', 'r', 'rowBytes'), ...op.i32mul, ...op.i32add],
    [...f.g('starts', 'o'), ...i32c(4), ...op.i32mul, ...op.i32add, ...i32load(), ...op.i32add],
    [...f.t('p'), ...f.g('nTaps'), ...i32c(4), ...op.i32mul, ...op.i32add, ...f.s('pEnd')],
    [...f.g('o', 'nTaps'), ...op.i32mul, ...i32c(4), ...op.i32mul, ...f.g('weights')],
    [...op.i32add, ...f.s('wp')],
    LOOP, // eight taps
    [...f.g('p'), ...vload, ...f.g('wp'), ...vload, ...op.f32x4mul, ...f.g('acc')],
    [...op.f32x4add, ...f.s('acc')],
    [...f.g('p'), ...vloadAt(16), ...f.g('wp'), ...vloadAt(16), ...op.f32x4mul, ...f.g('acc2')],
    [...op.f32x4add, ...f.s('acc2')],
    [...f.g('wp'), ...i32c(32), ...op.i32add, ...f.s('wp')],
    f.loopWhileBelow('p', 'pEnd', 32),
    // out[r·outW + o] = the sum of acc + acc2's four lanes
    [...f.g('out', 'r', 'outW'), ...op.i32mul, ...f.g('o'), ...op.i32add, ...i32c(4)],
    [...op.i32mul, ...op.i32add],
    [...f.g('acc', 'acc2'), ...op.f32x4add, ...f.s('acc'), ...f.f32x4Sum('acc')],
    f32store,
    f.loopWhileBelow('o', 'outW'),
    f.loopWhileBelow('r', 'rows'),
  );
  return f;
}

export interface ScaleKernel {
  memory: WebAssembly.Memory;
  vpass(
    src: number,
    stride: number,
    taps: number,
    nTaps: number,
    outRows: number,
    blocks: number,
    out: number,
  ): void;
  hpass(
    mid: number,
    rowBytes: number,
    rows: number,
    starts: number,
    weights: number,
    nTaps: number,
    outW: number,
    out: number,
  ): void;
}

const instances = kernelInstances<Pick<ScaleKernel, 'vpass' | 'hpass'>>(() => [
  ['vpass', vpassFn()],
  ['hpass', hpassFn()],
]);

/** A fresh instance with its own memory; compiling the module happens once per worker. */
export function scaleKernel(): ScaleKernel {
  const { memory, exports } = instances();
  return { memory, vpass: exports.vpass, hpass: exports.hpass };
}
