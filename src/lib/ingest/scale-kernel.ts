/**
 * The scaler's vertical pass as a tiny WebAssembly SIMD module, assembled here byte by byte (no
 * toolchain in the build). Scaling a 1080p picture to 64×36 is ~12 M multiply-adds; in plain JS
 * they cost ~2 ns each, in 128-bit SIMD (16 source pixels per step) a fraction of that.
 *
 * `vpass(src, stride, rows, weights, taps, outRows, blocks, out)`: for each output row `o` and
 * each 16-byte column block, out[o][x] = Σ_t weights[o·taps + t] · src[rows[o·taps + t]·stride + x]
 * in float64 (two lanes per operation: as fast here as float32, whose rounding flipped a few bytes),
 * t ascending. `rows` (i32, clamped row indices) and `weights` (f64) are tables in the module's
 * memory; `out` rows are blocks·16 doubles. Reads up to 15 bytes past a row's width.
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
const F64_LOAD = 0x2b;
const I32_CONST = 0x41;
const I32_LT_U = 0x49;
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const I8X16_SHUFFLE = 0x0d;
const F64X2_SPLAT = 0x14;
const I16X8_EXTEND_LOW_I8X16_U = 0x89;
const I16X8_EXTEND_HIGH_I8X16_U = 0x8a;
const I32X4_EXTEND_LOW_I16X8_U = 0xa9;
const I32X4_EXTEND_HIGH_I16X8_U = 0xaa;
const F64X2_ADD = 0xf0;
const F64X2_MUL = 0xf2;
const F64X2_CONVERT_LOW_I32X4_S = 0xfe;

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

// Locals: the 8 i32 parameters, then i32 o, x, rp, wp, rEnd, then v128 acc0..acc7, px, w, half, q.
const [SRC, STRIDE, ROWS, WEIGHTS, TAPS, OUT_ROWS, BLOCKS, OUT] = [0, 1, 2, 3, 4, 5, 6, 7];
const [O, X, RP, WP, REND] = [8, 9, 10, 11, 12];
const ACC = [13, 14, 15, 16, 17, 18, 19, 20];
const [PX, W, HALF, Q] = [21, 22, 23, 24];

/**
 * acc += f64(lanes) · w for the two low lanes of the i32x4 on the stack (0–255: the signed
 * conversion, one x64 instruction, where the unsigned one is emulated by several).
 */
const accumulate = (acc: number) => [
  ...simd(F64X2_CONVERT_LOW_I32X4_S),
  ...get(W),
  ...simd(F64X2_MUL),
  ...get(acc),
  ...simd(F64X2_ADD),
  ...set(acc),
];
/** Pixels 4q…4q+3 of the 16 in `px`, as u32 lanes in Q; then into acc[2q] and acc[2q+1]. */
const quarter = (q: number) => [
  ...get(HALF),
  ...simd(q % 2 ? I32X4_EXTEND_HIGH_I16X8_U : I32X4_EXTEND_LOW_I16X8_U),
  LOCAL_TEE,
  Q,
  ...accumulate(ACC[2 * q]),
  ...get(Q),
  ...get(Q),
  ...simd(I8X16_SHUFFLE),
  ...[8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15],
  ...accumulate(ACC[2 * q + 1]),
];

const body = [
  // locals: 5 × i32, 12 × v128
  ...vector([
    [5, 0x7f],
    [12, 0x7b],
  ]),
  ...[I32_CONST, 0, ...set(O)],
  ...[LOOP, VOID], // each output row
  ...[I32_CONST, 0, ...set(X)],
  ...[LOOP, VOID], // each 16-byte column block
  ...[...simd(V128_CONST), ...new Array(16).fill(0)],
  ...ACC.slice(0, -1).flatMap((a) => [LOCAL_TEE, a]),
  ...set(ACC[7]),
  // rp = rows + o·taps·4, wp = weights + o·taps·8, rEnd = rp + taps·4
  ...[...get(O), ...get(TAPS), I32_MUL, LOCAL_TEE, REND],
  ...[I32_CONST, 4, I32_MUL, ...get(ROWS), I32_ADD, ...set(RP)],
  ...[...get(REND), I32_CONST, 8, I32_MUL, ...get(WEIGHTS), I32_ADD, ...set(WP)],
  ...[...get(RP), ...get(TAPS), I32_CONST, 4, I32_MUL, I32_ADD, ...set(REND)],
  ...[LOOP, VOID], // each tap
  // px = 16 bytes at src + rows[t]·stride + x; w = splat(weights[t])
  ...[...get(SRC), ...get(RP), I32_LOAD, ...mem(2), ...get(STRIDE), I32_MUL, I32_ADD],
  ...[...get(X), I32_ADD, ...simd(V128_LOAD), ...mem(0), ...set(PX)],
  ...[...get(WP), F64_LOAD, ...mem(3), ...simd(F64X2_SPLAT), ...set(W)],
  ...[...get(PX), ...simd(I16X8_EXTEND_LOW_I8X16_U), ...set(HALF)],
  ...quarter(0),
  ...quarter(1),
  ...[...get(PX), ...simd(I16X8_EXTEND_HIGH_I8X16_U), ...set(HALF)],
  ...quarter(2),
  ...quarter(3),
  ...[...get(WP), I32_CONST, 8, I32_ADD, ...set(WP)],
  ...[...get(RP), I32_CONST, 4, I32_ADD, LOCAL_TEE, RP, ...get(REND), I32_LT_U, BR_IF, 0],
  END,
  // store the 16 sums at out + (o·blocks·16 + x)·8
  ...[...get(OUT), ...get(O), ...get(BLOCKS), I32_MUL, I32_CONST, 16, I32_MUL, ...get(X), I32_ADD],
  ...[I32_CONST, 8, I32_MUL, I32_ADD, ...set(RP)],
  ...ACC.flatMap((a, i) => [...get(RP), ...get(a), ...simd(V128_STORE), ...mem(0, 16 * i)]),
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
