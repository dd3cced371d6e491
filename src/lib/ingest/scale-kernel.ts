/**
 * The scaler's vertical pass as a tiny WebAssembly SIMD module, written with the project's
 * assembler (`util/wasm-assembler.ts`: no toolchain in the build). Scaling a 1080p picture to
 * 64×36 is ~12 M multiply-adds; in plain JS they cost ~2 ns each, in 128-bit SIMD (16 source
 * pixels per step) a fraction of that.
 *
 * `vpass(src, stride, rows, weights, taps, outRows, blocks, out)`: for each output row `o` and
 * each 16-byte column block, out[o][x] = Σ_t weights[o·taps + t] · src[rows[o·taps + t]·stride + x]
 * in float64 (two lanes per operation: as fast here as float32, whose rounding flipped a few bytes),
 * t ascending. `rows` (i32, clamped row indices) and `weights` (f64) are tables in the module's
 * memory; `out` rows are blocks·16 doubles. Reads up to 15 bytes past a row's width.
 */
import {
  END,
  Fn,
  I32,
  LOOP,
  V128,
  assemble,
  brIf,
  f64load,
  i32c,
  i32load,
  op,
  simd,
  vconst,
  vload,
  vstoreAt,
} from '../util/wasm-assembler';

const ACC = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
/** i8x16.shuffle moving the high 8 bytes (two i32 lanes) of a vector to its low half. */
const HIGH_TO_LOW = [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

function vpassFn(): Fn {
  const f = new Fn(
    ['src', 'stride', 'rows', 'weights', 'taps', 'outRows', 'blocks', 'out'].map((n) => [n, I32]),
  );
  f.locals(I32, 'o', 'x', 'rp', 'wp', 'rEnd');
  f.locals(V128, ...ACC, 'px', 'w', 'half', 'q');
  /**
   * acc += f64(lanes) · w for the two low lanes of the i32x4 on the stack (0–255: the signed
   * conversion, one x64 instruction, where the unsigned one is emulated by several).
   */
  const accumulate = (acc: string) => [
    ...op.i32x4LowToF64x2,
    ...f.g('w'),
    ...op.vmul,
    ...f.g(acc),
    ...op.vadd,
    ...f.s(acc),
  ];
  /** Pixels 4q…4q+3 of the 16 in `px`, as u32 lanes in q; then into acc[2q] and acc[2q+1]. */
  const quarter = (q: number) => [
    ...f.g('half'),
    ...(q % 2 ? op.u16x8WidenHigh : op.u16x8WidenLow),
    ...f.t('q'),
    ...accumulate(ACC[2 * q]),
    ...f.g('q', 'q'),
    ...HIGH_TO_LOW,
    ...accumulate(ACC[2 * q + 1]),
  ];
  f.emit(
    i32c(0),
    f.s('o'),
    LOOP, // each output row
    i32c(0),
    f.s('x'),
    LOOP, // each 16-byte column block
    vconst(0, 0),
    ...ACC.slice(0, -1).map((a) => f.t(a)),
    f.s(ACC[7]),
    // rp = rows + o·taps·4, wp = weights + o·taps·8, rEnd = rp + taps·4
    [...f.g('o', 'taps'), ...op.i32mul, ...f.t('rEnd')],
    [...i32c(4), ...op.i32mul, ...f.g('rows'), ...op.i32add, ...f.s('rp')],
    [...f.g('rEnd'), ...i32c(8), ...op.i32mul, ...f.g('weights'), ...op.i32add, ...f.s('wp')],
    [...f.g('rp', 'taps'), ...i32c(4), ...op.i32mul, ...op.i32add, ...f.s('rEnd')],
    LOOP, // each tap
    // px = 16 bytes at src + rows[t]·stride + x; w = splat(weights[t])
    [...f.g('src', 'rp'), ...i32load(), ...f.g('stride'), ...op.i32mul, ...op.i32add],
    [...f.g('x'), ...op.i32add, ...vload, ...f.s('px')],
    [...f.g('wp'), ...f64load, ...op.vsplat, ...f.s('w')],
    [...f.g('px'), ...op.u8x16WidenLow, ...f.s('half')],
    quarter(0),
    quarter(1),
    [...f.g('px'), ...op.u8x16WidenHigh, ...f.s('half')],
    quarter(2),
    quarter(3),
    [...f.g('wp'), ...i32c(8), ...op.i32add, ...f.s('wp')],
    [...f.g('rp'), ...i32c(4), ...op.i32add, ...f.t('rp'), ...f.g('rEnd'), ...op.i32ltU],
    brIf(0),
    END,
    // store the 16 sums at out + (o·blocks·16 + x)·8
    [...f.g('out', 'o', 'blocks'), ...op.i32mul, ...i32c(16), ...op.i32mul, ...f.g('x')],
    [...op.i32add, ...i32c(8), ...op.i32mul, ...op.i32add, ...f.s('rp')],
    ...ACC.map((a, i) => [...f.g('rp', a), ...vstoreAt(16 * i)]),
    [...f.g('x'), ...i32c(16), ...op.i32add, ...f.t('x')],
    [...f.g('blocks'), ...i32c(16), ...op.i32mul, ...op.i32ltU],
    brIf(0),
    END,
    [...f.g('o'), ...i32c(1), ...op.i32add, ...f.t('o'), ...f.g('outRows'), ...op.i32ltU],
    brIf(0),
    END,
  );
  return f;
}

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

/** A fresh instance with its own memory; compiling the module happens once per worker. */
export function scaleKernel(): ScaleKernel {
  compiled ??= new WebAssembly.Module(assemble([['vpass', vpassFn()]]));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { exports } = new WebAssembly.Instance(compiled, { m: { memory } });
  return { memory, vpass: (exports as unknown as Pick<ScaleKernel, 'vpass'>).vpass };
}
