/**
 * The transforms' WebAssembly kernels: the FFT's radix-4 passes, the real FFT's gather and
 * finishing steps and their inverses, and the inverse STFT's overlap-add. Each does the
 * operations of its TypeScript twin in `fft.ts` / `spectrum.ts` in the same order.
 */
import {
  I32,
  F64,
  V128,
  i32c,
  i32load,
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
  storeLane,
  vconst,
  Fn,
  vloadSplat,
  loadLane,
  br,
} from '../util/wasm-assembler';
import type { Bytes } from '../util/wasm-assembler';

/**
 * fft(re, im, n, twr, twi, q, s): the radix-4 passes of `FFT.butterflies` from stage size q
 * (1, 2 or 4) on, all addresses in bytes, s = +1 forward / −1 inverse. The q = 1 pass (twiddle
 * free) is scalar; the others take twiddle indices k, k + 1 side by side in f64x2 lanes — for
 * k = 0 with the table's (1, −0), which gives the same values as skipping the products.
 */
export function fftFn(): Fn {
  const f = new Fn([
    ['re', I32],
    ['im', I32],
    ['n', I32],
    ['twr', I32],
    ['twi', I32],
    ['q', I32],
    ['s', F64],
  ]);
  f.locals(I32, 'nb', 'qb', 'q2b', 'sizeb', 'kb', 'di', 'pa', 'pb', 'pc', 'pd', 'end');
  f.locals(F64, 'ns', 'a1r', 'a1i', 'b1r', 'b1i', 'c1r', 'c1i', 'd1r', 'd1i', 'ydr', 'ydi');
  f.locals(V128, 'S', 'NS', 'w1r', 'w1i', 'w2r', 'w2i', 'Rb', 'Ib', 'Rd', 'Id');
  f.locals(V128, 'xbr', 'xbi', 'xdr', 'xdi', 'A1r', 'A1i', 'B1r', 'B1i', 'C1r', 'C1i');
  f.locals(V128, 'D1r', 'D1i', 'ycr', 'yci', 'Ydr', 'Ydi', 'Ra', 'Ia', 'Rc', 'Ic');
  const ld = (ptr: string, im = false) => [
    ...f.g(ptr),
    ...(im ? [...f.g('di'), ...op.i32add] : []),
    ...f64load,
  ];
  const st = (ptr: string, im: boolean, ...value: Bytes[]) => [
    ...f.g(ptr),
    ...(im ? [...f.g('di'), ...op.i32add] : []),
    ...value.flat(),
    ...f64store,
  ];
  const vld = (ptr: string, im = false) => [
    ...f.g(ptr),
    ...(im ? [...f.g('di'), ...op.i32add] : []),
    ...vload,
  ];
  const vst = (ptr: string, im: boolean, ...value: Bytes[]) => [
    ...f.g(ptr),
    ...(im ? [...f.g('di'), ...op.i32add] : []),
    ...value.flat(),
    ...vstore,
  ];
  // scalar a op b into local
  const sc = (dst: string, a: Bytes, b: Bytes, o: Bytes) => [...a, ...b, ...o, ...f.s(dst)];
  const vc = (dst: string, a: Bytes, b: Bytes, o: Bytes) => [...a, ...b, ...o, ...f.s(dst)];
  // complex product x · w (vectors) into (dr, di): x_r w_r − x_i w_i, x_r w_i + x_i w_r
  const cmul = (dr: string, dI: string, xr: string, xi: string, wr: string, wi: string) => [
    ...f.g(xr, wr),
    ...op.vmul,
    ...f.g(xi, wi),
    ...op.vmul,
    ...op.vsub,
    ...f.s(dr),
    ...f.g(xr, wi),
    ...op.vmul,
    ...f.g(xi, wr),
    ...op.vmul,
    ...op.vadd,
    ...f.s(dI),
  ];
  f.emit(
    f.g('n'),
    i32c(3),
    op.i32shl,
    f.s('nb'),
    f.g('im', 're'),
    op.i32sub,
    f.s('di'),
    f.g('s'),
    op.f64neg,
    f.s('ns'),
    f.g('s'),
    op.vsplat,
    f.s('S'),
    f.g('ns'),
    op.vsplat,
    f.s('NS'),
    f.g('re', 'nb'),
    op.i32add,
    f.s('end'),
  );
  // q = 1: a, a+1, a+2, a+3 with no twiddles (scalar)
  f.emit(f.g('q'), i32c(1), op.i32ne, op.i32eqz, IF);
  f.emit(f.g('re'), f.s('pa'), LOOP);
  f.emit(
    f.g('pa'),
    i32c(8),
    op.i32add,
    f.s('pb'),
    f.g('pa'),
    i32c(16),
    op.i32add,
    f.s('pc'),
    f.g('pa'),
    i32c(24),
    op.i32add,
    f.s('pd'),
    sc('a1r', ld('pa'), ld('pb'), op.f64add),
    sc('a1i', ld('pa', true), ld('pb', true), op.f64add),
    sc('b1r', ld('pa'), ld('pb'), op.f64sub),
    sc('b1i', ld('pa', true), ld('pb', true), op.f64sub),
    sc('c1r', ld('pc'), ld('pd'), op.f64add),
    sc('c1i', ld('pc', true), ld('pd', true), op.f64add),
    sc('d1r', ld('pc'), ld('pd'), op.f64sub),
    sc('d1i', ld('pc', true), ld('pd', true), op.f64sub),
    sc('ydr', f.g('s'), f.g('d1i'), op.f64mul),
    sc('ydi', f.g('ns'), f.g('d1r'), op.f64mul),
    st('pa', false, f.g('a1r', 'c1r'), op.f64add),
    st('pa', true, f.g('a1i', 'c1i'), op.f64add),
    st('pc', false, f.g('a1r', 'c1r'), op.f64sub),
    st('pc', true, f.g('a1i', 'c1i'), op.f64sub),
    st('pb', false, f.g('b1r', 'ydr'), op.f64add),
    st('pb', true, f.g('b1i', 'ydi'), op.f64add),
    st('pd', false, f.g('b1r', 'ydr'), op.f64sub),
    st('pd', true, f.g('b1i', 'ydi'), op.f64sub),
    f.g('pa'),
    i32c(32),
    op.i32add,
    f.s('pa'),
    f.g('pa', 'end'),
    op.i32ltU,
    brIf(0),
    END,
  );
  f.emit(i32c(4), f.s('q'), END);
  // for (; q < n; q <<= 2)
  f.emit(BLOCK, f.g('q', 'n'), op.i32ltU, op.i32eqz, brIf(0), LOOP);
  f.emit(
    f.g('q'),
    i32c(3),
    op.i32shl,
    f.s('qb'),
    f.g('qb'),
    i32c(1),
    op.i32shl,
    f.s('q2b'),
    f.g('qb'),
    i32c(2),
    op.i32shl,
    f.s('sizeb'),
    i32c(0),
    f.s('kb'),
  );
  // for (kb = 0; kb < qb; kb += 16): twiddles of k, k + 1
  f.emit(LOOP);
  f.emit(
    f.g('twr', 'qb'),
    op.i32add,
    f.g('kb'),
    op.i32add,
    vload,
    f.s('w1r'),
    f.g('S', 'twi', 'qb'),
    op.i32add,
    f.g('kb'),
    op.i32add,
    vload,
    op.vmul,
    f.s('w1i'),
    f.g('twr', 'q2b'),
    op.i32add,
    f.g('kb'),
    op.i32add,
    vload,
    f.s('w2r'),
    f.g('S', 'twi', 'q2b'),
    op.i32add,
    f.g('kb'),
    op.i32add,
    vload,
    op.vmul,
    f.s('w2i'),
    f.g('re', 'kb'),
    op.i32add,
    f.s('pa'),
  );
  f.emit(LOOP);
  f.emit(
    f.g('pa', 'qb'),
    op.i32add,
    f.s('pb'),
    f.g('pb', 'qb'),
    op.i32add,
    f.s('pc'),
    f.g('pc', 'qb'),
    op.i32add,
    f.s('pd'),
    vc('Rb', vld('pb'), [], []),
    vc('Ib', vld('pb', true), [], []),
    vc('Rd', vld('pd'), [], []),
    vc('Id', vld('pd', true), [], []),
    cmul('xbr', 'xbi', 'Rb', 'Ib', 'w1r', 'w1i'),
    cmul('xdr', 'xdi', 'Rd', 'Id', 'w1r', 'w1i'),
    vc('Ra', vld('pa'), [], []),
    vc('Ia', vld('pa', true), [], []),
    vc('Rc', vld('pc'), [], []),
    vc('Ic', vld('pc', true), [], []),
    vc('A1r', f.g('Ra', 'xbr'), [], op.vadd),
    vc('A1i', f.g('Ia', 'xbi'), [], op.vadd),
    vc('B1r', f.g('Ra', 'xbr'), [], op.vsub),
    vc('B1i', f.g('Ia', 'xbi'), [], op.vsub),
    vc('C1r', f.g('Rc', 'xdr'), [], op.vadd),
    vc('C1i', f.g('Ic', 'xdi'), [], op.vadd),
    vc('D1r', f.g('Rc', 'xdr'), [], op.vsub),
    vc('D1i', f.g('Ic', 'xdi'), [], op.vsub),
    cmul('ycr', 'yci', 'C1r', 'C1i', 'w2r', 'w2i'),
    // t1 = D1 · w2 (into xdr, xdi), Yd = (s t1i, −s t1r)
    cmul('xdr', 'xdi', 'D1r', 'D1i', 'w2r', 'w2i'),
    vc('Ydr', f.g('S', 'xdi'), [], op.vmul),
    vc('Ydi', f.g('NS', 'xdr'), [], op.vmul),
    vst('pa', false, f.g('A1r', 'ycr'), op.vadd),
    vst('pa', true, f.g('A1i', 'yci'), op.vadd),
    vst('pc', false, f.g('A1r', 'ycr'), op.vsub),
    vst('pc', true, f.g('A1i', 'yci'), op.vsub),
    vst('pb', false, f.g('B1r', 'Ydr'), op.vadd),
    vst('pb', true, f.g('B1i', 'Ydi'), op.vadd),
    vst('pd', false, f.g('B1r', 'Ydr'), op.vsub),
    vst('pd', true, f.g('B1i', 'Ydi'), op.vsub),
    f.g('pa', 'sizeb'),
    op.i32add,
    f.s('pa'),
    f.g('pa', 'end'),
    op.i32ltU,
    brIf(0),
    END,
  );
  f.emit(f.g('kb'), i32c(16), op.i32add, f.s('kb'), f.g('kb', 'qb'), op.i32ltU, brIf(0), END);
  f.emit(f.g('q'), i32c(2), op.i32shl, f.s('q'), f.g('q', 'n'), op.i32ltU, brIf(0), END, END);
  return f;
}

/**
 * gather(y, win, zr, zi, rev, h, odd): `RealFFT.gatherFirstPass`, with y and win the byte
 * addresses of the frame's first sample and of the window. A complex sample (an even and an odd
 * real one) is one f64x2 vector; the first pass's outputs go to zr/zi lane by lane.
 */
export function gatherFn(): Fn {
  const f = new Fn([
    ['y', I32],
    ['win', I32],
    ['zr', I32],
    ['zi', I32],
    ['rev', I32],
    ['h', I32],
    ['odd', I32],
  ]);
  f.locals(I32, 'u', 'end', 'hb', 'qb', 'pr', 'rv');
  f.locals(V128, 'X0', 'X1', 'X2', 'X3', 'A1', 'B1', 'C1', 'D1');
  // X = y[at] · win[at] for the complex sample u (+ off) bytes on
  const sample = (dst: string, off: Bytes) => [
    ...f.g('y', 'u'),
    ...op.i32add,
    ...off,
    ...vload,
    ...f.g('win', 'u'),
    ...op.i32add,
    ...off,
    ...vload,
    ...op.vmul,
    ...f.s(dst),
  ];
  // the vector `value` to zr[r] and zi[r] (r = rev[j] + plus / 8)
  const put = (plus: number, value: Bytes) => [
    ...f.g('zr', 'rv'),
    ...op.i32add,
    ...value,
    ...storeLane(0, plus),
    ...f.g('zi', 'rv'),
    ...op.i32add,
    ...value,
    ...storeLane(1, plus),
  ];
  const step = [
    ...f.g('pr'),
    ...i32c(4),
    ...op.i32add,
    ...f.s('pr'),
    ...f.g('u'),
    ...i32c(16),
    ...op.i32add,
    ...f.s('u'),
    ...f.g('u', 'end'),
    ...op.i32ltU,
    ...brIf(0),
  ];
  const rev = [...f.g('pr'), ...i32load(), ...i32c(3), ...op.i32shl, ...f.s('rv')];
  f.emit(
    f.g('h'),
    i32c(3),
    op.i32shl,
    f.s('hb'),
    f.g('h'),
    i32c(2),
    op.i32shl,
    f.s('qb'),
    i32c(0),
    f.s('u'),
    f.g('rev'),
    f.s('pr'),
    f.g('odd'),
    IF,
    // samples j (u = 16j bytes) and j + h/2 (u + 8h) to rev[j], rev[j] + 1, for j < h/2
    f.g('hb'),
    f.s('end'),
    LOOP,
    rev,
    sample('X0', []),
    sample('X1', [...f.g('hb'), ...op.i32add]),
    put(0, [...f.g('X0', 'X1'), ...op.vadd]),
    put(8, [...f.g('X0', 'X1'), ...op.vsub]),
    step,
    END,
    ELSE,
    // samples j, j + h/2, j + h/4, j + 3h/4 to rev[j] … rev[j] + 3, for j < h/4
    f.g('qb'),
    f.s('end'),
    LOOP,
    rev,
    sample('X0', []),
    sample('X1', [...f.g('hb'), ...op.i32add]),
    sample('X2', [...f.g('qb'), ...op.i32add]),
    sample('X3', [...f.g('hb'), ...op.i32add, ...f.g('qb'), ...op.i32add]),
    f.g('X0', 'X1'),
    op.vadd,
    f.s('A1'),
    f.g('X0', 'X1'),
    op.vsub,
    f.s('B1'),
    f.g('X2', 'X3'),
    op.vadd,
    f.s('C1'),
    // D1 = (d1i, −d1r): B1 ± D1 are the outputs at r + 1 and r + 3
    f.g('X2', 'X3'),
    op.vsub,
    op.vswap,
    vconst(1, -1),
    op.vmul,
    f.s('D1'),
    put(0, [...f.g('A1', 'C1'), ...op.vadd]),
    put(16, [...f.g('A1', 'C1'), ...op.vsub]),
    put(8, [...f.g('B1', 'D1'), ...op.vadd]),
    put(24, [...f.g('B1', 'D1'), ...op.vsub]),
    step,
    END,
    END,
  );
  return f;
}

/** dst = s · (a ∘ b) on f64x2 locals, ∘ being `combine` (add or subtract). */
const scaled = (f: Fn, dst: string, s: string, a: string, combine: Bytes, b: string) => [
  ...f.g(s, a, b),
  ...combine,
  ...op.vmul,
  ...f.s(dst),
];

/**
 * The bin loop `finish` and `unfinish` share: bins k, k + 1 side by side while both are in range
 * (k up to `bound`, or below it when `exclusive`), then a last bin alone if one is left. kb is the
 * byte offset of k, bb that of h − k − 1 (two bins, loaded as one vector and swapped) or h − k.
 */
function pairedBins(f: Fn, bins: (two: boolean) => Bytes, bound: string, exclusive: boolean) {
  // k + slack > bound: no room for the bins from k on
  const beyond = (slack: number) => [
    ...f.g('k'),
    ...(slack ? [...i32c(slack), ...op.i32add] : []),
    ...f.g(bound),
    ...op.i32gtS,
  ];
  const last = exclusive ? 1 : 0;
  const offsets = (minus: number) => [
    ...f.g('k'),
    ...i32c(3),
    ...op.i32shl,
    ...f.s('kb'),
    ...f.g('h', 'k'),
    ...op.i32sub,
    ...i32c(minus),
    ...op.i32sub,
    ...i32c(3),
    ...op.i32shl,
    ...f.s('bb'),
  ];
  return [
    BLOCK,
    LOOP,
    beyond(last + 1),
    brIf(1),
    offsets(1),
    bins(true),
    [...f.g('k'), ...i32c(2), ...op.i32add, ...f.s('k')],
    br(0),
    END,
    END,
    beyond(last),
    op.i32eqz,
    IF,
    offsets(0),
    bins(false),
    END,
  ];
}

/**
 * finish(zr, zi, wr, wi, outRe, outIm, h, from, end): `RealFFT.finish` for the bins
 * 1 ≤ from ≤ k ≤ end ≤ h − 1, two side by side (zr[h − k − 1], zr[h − k] loaded as one vector
 * and swapped), written to outRe/outIm at k.
 */
export function finishFn(): Fn {
  const f = new Fn([
    ['zr', I32],
    ['zi', I32],
    ['wr', I32],
    ['wi', I32],
    ['ore', I32],
    ['oim', I32],
    ['h', I32],
    ['k', I32],
    ['end', I32],
  ]);
  f.locals(I32, 'kb', 'bb');
  f.locals(V128, 'H', 'NH', 'Rk', 'Ik', 'Rb', 'Ib', 'ER', 'EI', 'OR', 'OI', 'WR', 'WI');
  // one bin (k) or two (k, k + 1): the same expressions on f64x2 vectors, kept in lanes
  const bins = (two: boolean) => {
    const load = two ? vload : vloadSplat; // one bin: in both lanes
    const sw = two ? op.vswap : [];
    const at = (base: string, off: string) => [...f.g(base, off), ...op.i32add, ...load];
    return [
      ...at('zr', 'kb'),
      ...f.s('Rk'),
      ...at('zi', 'kb'),
      ...f.s('Ik'),
      // bb: the byte offset of h − k − 1 (two bins) or h − k (one)
      ...at('zr', 'bb'),
      ...sw,
      ...f.s('Rb'),
      ...at('zi', 'bb'),
      ...sw,
      ...f.s('Ib'),
      ...scaled(f, 'ER', 'H', 'Rk', op.vadd, 'Rb'),
      ...scaled(f, 'EI', 'H', 'Ik', op.vsub, 'Ib'),
      ...scaled(f, 'OR', 'H', 'Ik', op.vadd, 'Ib'),
      ...scaled(f, 'OI', 'NH', 'Rk', op.vsub, 'Rb'),
      ...at('wr', 'kb'),
      ...f.s('WR'),
      ...at('wi', 'kb'),
      ...f.s('WI'),
      // outRe = er + wr·or − wi·oi; outIm = ei + wr·oi + wi·or
      ...f.g('ore', 'kb'),
      ...op.i32add,
      ...f.g('ER', 'WR', 'OR'),
      ...op.vmul,
      ...op.vadd,
      ...f.g('WI', 'OI'),
      ...op.vmul,
      ...op.vsub,
      ...(two ? vstore : storeLane(0)),
      ...f.g('oim', 'kb'),
      ...op.i32add,
      ...f.g('EI', 'WR', 'OI'),
      ...op.vmul,
      ...op.vadd,
      ...f.g('WI', 'OR'),
      ...op.vmul,
      ...op.vadd,
      ...(two ? vstore : storeLane(0)),
    ];
  };
  f.emit(
    vconst(0.5, 0.5),
    f.s('H'),
    vconst(-0.5, -0.5),
    f.s('NH'),
    ...pairedBins(f, bins, 'end', false),
  );
  return f;
}

/**
 * unfinish(re, im, wr, wi, zr, zi, rev, h): bins k = 1 … h − 1 of `RealFFT.inverse`'s first loop
 * (X[k] and conj X[h − k] to the half-size spectrum, stored bit-reversed), two bins side by
 * side; h − 1 odd bins are paired from k = 1, the last one alone. re/im hold X[0..h].
 */
export function unfinishFn(): Fn {
  const f = new Fn([
    ['re', I32],
    ['im', I32],
    ['wr', I32],
    ['wi', I32],
    ['zr', I32],
    ['zi', I32],
    ['rev', I32],
    ['h', I32],
  ]);
  f.locals(I32, 'k', 'kb', 'bb', 'r0', 'r1');
  f.locals(V128, 'H', 'A', 'AI', 'B', 'BI', 'DR', 'DI', 'OR', 'OI', 'ZR', 'ZI');
  const bins = (two: boolean) => {
    const load = two ? vload : vloadSplat; // one bin: in both lanes
    const sw = two ? op.vswap : [];
    const at = (base: string, off: string) => [...f.g(base, off), ...op.i32add, ...load];
    const put = (base: string, v: string) => [
      ...f.g(base, 'r0'),
      ...op.i32add,
      ...f.g(v),
      ...storeLane(0),
      ...(two ? [...f.g(base, 'r1'), ...op.i32add, ...f.g(v), ...storeLane(1)] : []),
    ];
    return [
      ...at('re', 'kb'),
      ...f.s('A'),
      ...at('im', 'kb'),
      ...f.s('AI'),
      ...at('re', 'bb'),
      ...sw,
      ...f.s('B'),
      ...at('im', 'bb'),
      ...sw,
      ...simd(0xed), // f64x2.neg
      ...f.s('BI'),
      // er = ½(a + b) → A; ei = ½(ai + bi) → AI (after the differences are taken)
      ...scaled(f, 'DR', 'H', 'A', op.vsub, 'B'),
      ...scaled(f, 'DI', 'H', 'AI', op.vsub, 'BI'),
      ...scaled(f, 'A', 'H', 'A', op.vadd, 'B'),
      ...scaled(f, 'AI', 'H', 'AI', op.vadd, 'BI'),
      // or = dr·wr + di·wi; oi = di·wr − dr·wi
      ...at('wr', 'kb'),
      ...f.s('B'),
      ...at('wi', 'kb'),
      ...f.s('BI'),
      ...f.g('DR', 'B'),
      ...op.vmul,
      ...f.g('DI', 'BI'),
      ...op.vmul,
      ...op.vadd,
      ...f.s('OR'),
      ...f.g('DI', 'B'),
      ...op.vmul,
      ...f.g('DR', 'BI'),
      ...op.vmul,
      ...op.vsub,
      ...f.s('OI'),
      ...f.g('A', 'OI'),
      ...op.vsub,
      ...f.s('ZR'),
      ...f.g('AI', 'OR'),
      ...op.vadd,
      ...f.s('ZI'),
      // r0, r1: byte offsets of rev[k], rev[k + 1]
      ...f.g('rev', 'k'),
      ...i32c(2),
      ...op.i32shl,
      ...op.i32add,
      ...i32load(),
      ...i32c(3),
      ...op.i32shl,
      ...f.s('r0'),
      ...(two
        ? [
            ...f.g('rev', 'k'),
            ...i32c(2),
            ...op.i32shl,
            ...op.i32add,
            ...i32load(4),
            ...i32c(3),
            ...op.i32shl,
            ...f.s('r1'),
          ]
        : []),
      ...put('zr', 'ZR'),
      ...put('zi', 'ZI'),
    ];
  };
  f.emit(vconst(0.5, 0.5), f.s('H'), i32c(1), f.s('k'), ...pairedBins(f, bins, 'h', true));
  return f;
}

/**
 * ola(zr, zi, win, acc, h, s): acc[2j] += (zr[j]·s)·win[2j], acc[2j + 1] += (zi[j]·s)·win[2j + 1]
 * — `RealFFT.inverse`'s scaling and the inverse STFT's overlap-add, fused, for j < h.
 */
export function olaFn(): Fn {
  const f = new Fn([
    ['zr', I32],
    ['zi', I32],
    ['win', I32],
    ['acc', I32],
    ['h', I32],
    ['s', F64],
  ]);
  f.locals(I32, 'jb', 'end', 'pa');
  f.locals(V128, 'S', 'V');
  f.emit(
    f.g('s'),
    op.vsplat,
    f.s('S'),
    f.g('h'),
    i32c(3),
    op.i32shl,
    f.s('end'),
    i32c(0),
    f.s('jb'),
    LOOP,
    f.g('zr', 'jb'),
    op.i32add,
    vloadSplat,
    f.s('V'),
    f.g('zi', 'jb'),
    op.i32add,
    f.g('V'),
    loadLane(1),
    f.g('S'),
    op.vmul,
    f.s('V'),
    // pa = acc + 16j (and win + 16j)
    f.g('acc', 'jb'),
    op.i32add,
    f.g('jb'),
    op.i32add,
    f.s('pa'),
    f.g('pa', 'pa'),
    vload,
    f.g('V', 'win', 'jb'),
    op.i32add,
    f.g('jb'),
    op.i32add,
    vload,
    op.vmul,
    op.vadd,
    vstore,
    f.g('jb'),
    i32c(8),
    op.i32add,
    f.s('jb'),
    f.g('jb', 'end'),
    op.i32ltU,
    brIf(0),
    END,
  );
  return f;
}
