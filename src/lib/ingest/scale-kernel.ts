/**
 * The scaler's vertical pass as a tiny WebAssembly SIMD module, assembled here byte by byte (no
 * toolchain in the build). Scaling a 1080p picture to 64×36 is ~12 M multiply-adds; in plain JS
 * they cost ~2 ns each, in 128-bit SIMD (16 source pixels per step) a fraction of that.
 *
 * `vpass(src, stride, rows, weights, taps, outRows, blocks, out)`: for each output row `o` and
 * each 16-byte column block, out[o][x] = Σ_t weights[o·taps + t] · src[rows[o·taps + t]·stride + x]
 * in float32, t ascending. `rows` (i32, clamped row indices) and `weights` (f32) are tables in the
 * module's memory; `out` rows are blocks·16 floats. Reads up to 15 bytes past a row's width.
 */

// Opcodes used (WebAssembly core + fixed-width SIMD, prefix 0xfd).
const END = 0x0b;
const LOOP = 0x03;
const BR_IF = 0x0d;
const VOID = 0x40;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_LOAD = 0x28;
const F32_LOAD = 0x2a;
const I32_CONST = 0x41;
const I32_LT_U = 0x49;
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const F32X4_SPLAT = 0x13;
const I16X8_EXTEND_LOW_I8X16_U = 0x89;
const I16X8_EXTEND_HIGH_I8X16_U = 0x8a;
const I32X4_EXTEND_LOW_I16X8_U = 0xa9;
const I32X4_EXTEND_HIGH_I16X8_U = 0xaa;
const F32X4_ADD = 0xe4;
const F32X4_MUL = 0xe6;
const F32X4_CONVERT_I32X4_U = 0xfb;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const simd = (code: number) => [SIMD, ...uleb(code)];
const get = (i: number) => [LOCAL_GET, i];
const set = (i: number) => [LOCAL_SET, i];
/** memarg: alignment (log2) and offset. */
const mem = (align: number, offset = 0) => [align, ...uleb(offset)];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];

// Locals: the 8 i32 parameters, then i32 o, x, rp, wp, rEnd, then v128 a0..a3, px, w.
const [SRC, STRIDE, ROWS, WEIGHTS, TAPS, OUT_ROWS, BLOCKS, OUT] = [0, 1, 2, 3, 4, 5, 6, 7];
const [O, X, RP, WP, REND] = [8, 9, 10, 11, 12];
const [A0, A1, A2, A3, PX, W, HALF] = [13, 14, 15, 16, 17, 18, 19];

/** acc += f32(u32(lanes of the i16x8 in `half`)) · w, for the low or high four lanes. */
const accumulate = (acc: number, high: boolean) => [
  ...get(acc),
  ...get(HALF),
  ...simd(high ? I32X4_EXTEND_HIGH_I16X8_U : I32X4_EXTEND_LOW_I16X8_U),
  ...simd(F32X4_CONVERT_I32X4_U),
  ...get(W),
  ...simd(F32X4_MUL),
  ...simd(F32X4_ADD),
  ...set(acc),
];

const body = [
  // locals: 5 × i32, 7 × v128
  ...vector([
    [5, 0x7f],
    [7, 0x7b],
  ]),
  ...[I32_CONST, 0, ...set(O)],
  ...[LOOP, VOID], // each output row
  ...[I32_CONST, 0, ...set(X)],
  ...[LOOP, VOID], // each 16-byte column block
  ...[...simd(V128_CONST), ...new Array(16).fill(0), LOCAL_TEE, A0, LOCAL_TEE, A1],
  ...[LOCAL_TEE, A2, ...set(A3)],
  // rp = rows + o·taps·4, wp = weights + o·taps·4, rEnd = rp + taps·4
  ...[...get(O), ...get(TAPS), I32_MUL, I32_CONST, 4, I32_MUL, LOCAL_TEE, REND],
  ...[...get(ROWS), I32_ADD, ...set(RP)],
  ...[...get(REND), ...get(WEIGHTS), I32_ADD, ...set(WP)],
  ...[...get(RP), ...get(TAPS), I32_CONST, 4, I32_MUL, I32_ADD, ...set(REND)],
  ...[LOOP, VOID], // each tap
  // px = 16 bytes at src + rows[t]·stride + x; w = splat(weights[t])
  ...[...get(SRC), ...get(RP), I32_LOAD, ...mem(2), ...get(STRIDE), I32_MUL, I32_ADD],
  ...[...get(X), I32_ADD, ...simd(V128_LOAD), ...mem(0), ...set(PX)],
  ...[...get(WP), F32_LOAD, ...mem(2), ...simd(F32X4_SPLAT), ...set(W)],
  ...[...get(PX), ...simd(I16X8_EXTEND_LOW_I8X16_U), ...set(HALF)],
  ...accumulate(A0, false),
  ...accumulate(A1, true),
  ...[...get(PX), ...simd(I16X8_EXTEND_HIGH_I8X16_U), ...set(HALF)],
  ...accumulate(A2, false),
  ...accumulate(A3, true),
  ...[...get(WP), I32_CONST, 4, I32_ADD, ...set(WP)],
  ...[...get(RP), I32_CONST, 4, I32_ADD, LOCAL_TEE, RP, ...get(REND), I32_LT_U, BR_IF, 0],
  END,
  // store the 16 sums at out + (o·blocks·16 + x)·4
  ...[...get(OUT), ...get(O), ...get(BLOCKS), I32_MUL, I32_CONST, 16, I32_MUL, ...get(X), I32_ADD],
  ...[I32_CONST, 4, I32_MUL, I32_ADD, LOCAL_TEE, RP],
  ...[...get(A0), ...simd(V128_STORE), ...mem(0, 0)],
  ...[...get(RP), ...get(A1), ...simd(V128_STORE), ...mem(0, 16)],
  ...[...get(RP), ...get(A2), ...simd(V128_STORE), ...mem(0, 32)],
  ...[...get(RP), ...get(A3), ...simd(V128_STORE), ...mem(0, 48)],
  ...[...get(X), I32_CONST, 16, I32_ADD, LOCAL_TEE, X],
  ...[...get(BLOCKS), I32_CONST, 16, I32_MUL, I32_LT_U, BR_IF, 0],
  END,
  ...[...get(O), I32_CONST, 1, I32_ADD, LOCAL_TEE, O, ...get(OUT_ROWS), I32_LT_U, BR_IF, 0],
  END,
  END,
];

const MODULE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, vector([[0x60, ...vector(new Array(8).fill([0x7f])), 0]])), // (i32 ×8) → ()
  ...section(3, vector([[0]])),
  ...section(5, vector([[0, 1]])), // one memory, at least 1 page
  ...section(
    7,
    vector([
      [...name('vpass'), 0, 0],
      [...name('memory'), 2, 0],
    ]),
  ),
  ...section(10, vector([[...uleb(body.length), ...body]])),
]);

export interface ScaleKernel {
  memory: WebAssembly.Memory;
  vpass(
    src: number,
    stride: number,
    rows: number,
    weights: number,
    taps: number,
    outRows: number,
    blocks: number,
    out: number,
  ): void;
}

let compiled: WebAssembly.Module | null = null;

/** A fresh instance (its own memory); compiling the module happens once per worker. */
export function scaleKernel(): ScaleKernel {
  compiled ??= new WebAssembly.Module(MODULE);
  const { exports } = new WebAssembly.Instance(compiled);
  return exports as unknown as ScaleKernel;
}
