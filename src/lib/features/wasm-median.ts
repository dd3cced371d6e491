/**
 * The HPSS running median's window update as a WebAssembly kernel (`hpss.ts` holds its TypeScript
 * twin): ranks counted with SIMD compares instead of a bisection.
 */
import {
  I32,
  F64,
  V128,
  uleb,
  i32c,
  simd,
  f64load,
  f64store,
  vload,
  vstore,
  BLOCK,
  LOOP,
  IF,
  ELSE,
  END,
  brIf,
  op,
  vconst,
  Fn,
  br,
} from '../util/wasm-assembler';
import type { Bytes } from '../util/wasm-assembler';

/**
 * p and q of `runningMedian`'s step by counting instead of bisection, for a 32-slot window
 * (31 values and a +∞ pad): p = #{win < vo}, q = #{win < vi} — the same indices the
 * bisections find in a sorted window — sixteen f64x2 comparisons each, no dependent loads.
 */
function countRanks(f: Fn): Bytes[] {
  const code: Bytes[] = [
    f.g('vo'),
    op.vsplat,
    f.s('VO'),
    f.g('vi'),
    op.vsplat,
    f.s('VI'),
    vconst(0, 0),
    f.s('CP'),
    vconst(0, 0),
    f.s('CQ'),
  ];
  for (let v = 0; v < 16; v++) {
    code.push(
      f.g('win'),
      [...simd(0x00), 3, ...uleb(16 * v)],
      f.s('W'),
      // a true comparison is all ones (−1): subtracting it counts
      f.g('CP', 'W', 'VO'),
      simd(0x49), // f64x2.lt
      simd(0xd1), // i64x2.sub
      f.s('CP'),
      f.g('CQ', 'W', 'VI'),
      simd(0x49),
      simd(0xd1),
      f.s('CQ'),
    );
  }
  for (const [acc, dst] of [
    ['CP', 'p'],
    ['CQ', 'q'],
  ]) {
    code.push(
      f.g(acc),
      [...simd(0x1d), 0], // i64x2.extract_lane 0
      f.g(acc),
      [...simd(0x1d), 1],
      [0x7c], // i64.add
      [0xa7], // i32.wrap_i64
      f.s(dst),
    );
  }
  return code;
}

/**
 * median(line, n, size, out, win, top, ostride): steps i = 1 … n − 1 of `runningMedian` (the
 * caller has sorted the first window into win and written out[0]); win is 2·top − 1 values, +∞
 * past `size`; byte addresses, outputs `ostride` bytes apart. The bisections are branch-free as in TypeScript, the shifts move two
 * values at a time.
 */
export function medianFn(count16 = false): Fn {
  const f = new Fn([
    ['line', I32],
    ['n', I32],
    ['size', I32],
    ['out', I32],
    ['win', I32],
    ['top', I32],
    ['ostride', I32],
  ]);
  f.locals(I32, 'i', 'half', 'p', 'q', 'step', 'j', 'pi', 'pe', 'po');
  f.locals(F64, 'vo', 'vi');
  f.locals(V128, 'VO', 'VI', 'CP', 'CQ', 'W');
  const at = (idx: Bytes) => [...f.g('win'), ...idx, ...i32c(3), ...op.i32shl, ...op.i32add];
  f.emit(
    f.g('n'),
    i32c(2),
    op.i32ltU,
    IF,
    [0x0f], // return
    END,
    f.g('size'),
    i32c(1),
    op.i32shrU,
    i32c(3),
    op.i32shl,
    f.g('win'),
    op.i32add,
    f.s('half'),
    // pi: line[i − 1]; pe: line[i + size − 1]; po: out[i] (ostride bytes apart)
    f.g('line'),
    f.s('pi'),
    f.g('line', 'size'),
    i32c(3),
    op.i32shl,
    op.i32add,
    f.s('pe'),
    f.g('out', 'ostride'),
    op.i32add,
    f.s('po'),
    i32c(1),
    f.s('i'),
    LOOP,
    f.g('pi'),
    f64load,
    f.s('vo'),
    f.g('pe'),
    f64load,
    f.s('vi'),
    f.g('vo', 'vi'),
    op.f64ne,
    IF,
    ...(count16
      ? countRanks(f)
      : [
          i32c(0),
          f.s('p'),
          i32c(0),
          f.s('q'),
          f.g('top'),
          f.s('step'),
          LOOP,
          // p += win[p + step − 1] < vo ? step : 0 (and q for vi)
          f.g('p', 'step'),
          op.i32add,
          f.g('p', 'p', 'step'),
          op.i32add,
          i32c(1),
          op.i32sub,
          i32c(3),
          op.i32shl,
          f.g('win'),
          op.i32add,
          f64load,
          f.g('vo'),
          op.f64lt,
          op.select,
          f.s('p'),
          f.g('q', 'step'),
          op.i32add,
          f.g('q', 'q', 'step'),
          op.i32add,
          i32c(1),
          op.i32sub,
          i32c(3),
          op.i32shl,
          f.g('win'),
          op.i32add,
          f64load,
          f.g('vi'),
          op.f64lt,
          op.select,
          f.s('q'),
          f.g('step'),
          i32c(1),
          op.i32shrU,
          f.s('step'),
          f.g('step'),
          brIf(0),
          END,
        ]),
  );
  f.emit(
    f.g('q', 'p'),
    op.i32gtS,
    IF,
    // q > p: q−−; win[j] = win[j + 1] for j = p … q − 1, two at a time while j + 1 < q
    f.g('q'),
    i32c(1),
    op.i32sub,
    f.s('q'),
    f.g('p'),
    f.s('j'),
    BLOCK,
    LOOP,
    f.g('j'),
    i32c(1),
    op.i32add,
    f.g('q'),
    op.i32ltS,
    op.i32eqz,
    brIf(1),
    at(f.g('j')),
    at(f.g('j')),
    i32c(8),
    op.i32add,
    vload,
    vstore,
    f.g('j'),
    i32c(2),
    op.i32add,
    f.s('j'),
    br(0),
    END,
    END,
    f.g('j', 'q'),
    op.i32ltS,
    IF,
    at(f.g('j')),
    at(f.g('j')),
    i32c(8),
    op.i32add,
    f64load,
    f64store,
    END,
    ELSE,
    // q ≤ p: win[j] = win[j − 1] for j = p … q + 1, two at a time while j − 1 > q
    f.g('p'),
    f.s('j'),
    BLOCK,
    LOOP,
    f.g('j'),
    i32c(1),
    op.i32sub,
    f.g('q'),
    op.i32gtS,
    op.i32eqz,
    brIf(1),
    at(f.g('j')),
    i32c(8),
    op.i32sub,
    at(f.g('j')),
    i32c(16),
    op.i32sub,
    vload,
    vstore,
    f.g('j'),
    i32c(2),
    op.i32sub,
    f.s('j'),
    br(0),
    END,
    END,
    f.g('j', 'q'),
    op.i32gtS,
    IF,
    at(f.g('j')),
    at(f.g('j')),
    i32c(8),
    op.i32sub,
    f64load,
    f64store,
    END,
    END,
    at(f.g('q')),
    f.g('vi'),
    f64store,
    END,
    // out[i] = win[half]
    f.g('po', 'half'),
    f64load,
    f64store,
    f.g('pi'),
    i32c(8),
    op.i32add,
    f.s('pi'),
    f.g('pe'),
    i32c(8),
    op.i32add,
    f.s('pe'),
    f.g('po', 'ostride'),
    op.i32add,
    f.s('po'),
    f.g('i'),
    i32c(1),
    op.i32add,
    f.s('i'),
    f.g('i', 'n'),
    op.i32ltU,
    brIf(0),
    END,
  );
  return f;
}
