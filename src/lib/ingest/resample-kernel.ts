/**
 * The resampler's filter sums as a tiny WebAssembly SIMD module, written with the project's
 * assembler (`util/wasm-assembler.ts`). Resampling a movie's 48-kHz audio to 22050 Hz takes 72
 * multiply-adds per output sample, ~950 M for 10 minutes: 2.3 s in plain JavaScript, the largest
 * cost of the WebCodecs ingest after the browser's decoder, where native ffmpeg's SIMD resampler
 * is a rounding error.
 *
 * `dots(buf, weights, taps8, cycle, up, down, r, base, count, out)`: for output o < count,
 * out[o] = Σ_t buf[base + cycle[r].from + t] · weights[cycle[r].row + t] (f32, eight lanes in two
 * accumulators; the weight rows are padded to a multiple of 8 taps with zeros), then r advances
 * and, every `up` outputs, `base` advances by `down` input samples. `cycle` holds, per output
 * phase r < up, two i32: the input offset of its first tap and the byte offset of its weight row.
 */
import {
  END,
  Fn,
  I32,
  IF,
  LOOP,
  V128,
  brIf,
  f32store,
  i32c,
  i32load,
  kernelInstances,
  op,
  vconst,
  vloadAt,
} from '../util/wasm-assembler';

function dotsFn(): Fn {
  const f = new Fn(
    ['buf', 'weights', 'taps8', 'cycle', 'up', 'down', 'r', 'base', 'count', 'out'].map((n) => [
      n,
      I32,
    ]),
  );
  f.locals(I32, 'o', 'p', 'w', 'k', 'ent');
  f.locals(V128, 'a', 'b');
  /** acc += v128 at p+at · v128 at w+at. */
  const mac = (acc: string, at: number) => [
    ...f.g(acc, 'p'),
    ...vloadAt(at),
    ...f.g('w'),
    ...vloadAt(at),
    ...op.f32x4mul,
    ...op.f32x4add,
    ...f.s(acc),
  ];
  f.emit(
    i32c(0),
    f.s('o'),
    LOOP, // each output
    // ent = cycle + r·8; p = buf + (base + from)·4; w = weights + row
    [...f.g('cycle', 'r'), ...i32c(8), ...op.i32mul, ...op.i32add, ...f.t('ent')],
    [...i32load(), ...f.g('base'), ...op.i32add, ...i32c(4), ...op.i32mul],
    [...f.g('buf'), ...op.i32add, ...f.s('p')],
    [...f.g('ent'), ...i32load(4), ...f.g('weights'), ...op.i32add, ...f.s('w')],
    [...f.g('taps8'), ...f.s('k')],
    [...vconst(0, 0), ...f.s('a'), ...vconst(0, 0), ...f.s('b')],
    LOOP, // eight taps a step
    mac('a', 0),
    mac('b', 16),
    [...f.g('p'), ...i32c(32), ...op.i32add, ...f.s('p')],
    [...f.g('w'), ...i32c(32), ...op.i32add, ...f.s('w')],
    [...f.g('k'), ...i32c(1), ...op.i32sub, ...f.t('k')],
    brIf(0),
    END,
    // out[o] = (a + b) summed over its lanes
    [...f.g('out', 'o'), ...i32c(4), ...op.i32mul, ...op.i32add],
    [...f.g('a', 'b'), ...op.f32x4add, ...f.s('a'), ...f.f32x4Sum('a')],
    f32store,
    // r = r + 1; when r = up: r = 0, base += down
    [...f.g('r'), ...i32c(1), ...op.i32add, ...f.t('r'), ...f.g('up'), ...op.i32eq],
    IF,
    [...i32c(0), ...f.s('r'), ...f.g('base', 'down'), ...op.i32add, ...f.s('base')],
    END,
    f.loopWhileBelow('o', 'count'),
  );
  return f;
}

export interface ResampleKernel {
  memory: WebAssembly.Memory;
  dots(
    buf: number,
    weights: number,
    taps8: number,
    cycle: number,
    up: number,
    down: number,
    r: number,
    base: number,
    count: number,
    out: number,
  ): void;
}

const instances = kernelInstances<Pick<ResampleKernel, 'dots'>>(() => [['dots', dotsFn()]]);

/** A fresh instance with its own memory; compiling the module happens once per worker. */
export function resampleKernel(): ResampleKernel {
  const { memory, exports } = instances();
  return { memory, dots: exports.dots };
}
