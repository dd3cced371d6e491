/**
 * Hand-assembled WebAssembly (SIMD) kernels for the feature extractor's hot loops: the FFT's
 * fused radix-4 passes, the real FFT's gather and finishing steps, the inverse STFT's set-up and
 * overlap-add, the CQT's octave resampler and filter responses, the filterbanks and the HPSS
 * running median's window update. There is no wasm compiler in the toolchain, so the module is
 * written here as bytes by a minimal assembler (`Fn`, `assemble`). Every kernel does exactly the
 * operations of its TypeScript twin in the same order (IEEE f64 lane by lane, no fused
 * multiply-add), so results are the same numbers (tests/unit/audio-wasm.test.ts); `wasmKernels()`
 * is null where WebAssembly SIMD is unavailable and the callers keep their TypeScript loops.
 * Buffers live in the module's memory (`alloc`, never freed: regions are kept and reused from
 * clip to clip); growing it detaches earlier views, so callers take views after allocating.
 */

type Bytes = number[];

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(n: number): Bytes {
  const out: Bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): Bytes {
  const out: Bytes = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: Bytes): Bytes => [id, ...uleb(body.length), ...body];
const name = (s: string): Bytes => vec([...s].map((c) => [c.charCodeAt(0)]));

// instructions (a function body is a flat list of these)
const get = (i: number): Bytes => [0x20, ...uleb(i)];
const set = (i: number): Bytes => [0x21, ...uleb(i)];
const i32c = (v: number): Bytes => [0x41, ...sleb(v)];
const simd = (op: number): Bytes => [0xfd, ...uleb(op)];
const f64load: Bytes = [0x2b, 3, 0];
const f64store: Bytes = [0x39, 3, 0];
const vload: Bytes = [...simd(0x00), 3, 0];
const vstore: Bytes = [...simd(0x0b), 3, 0];
const BLOCK: Bytes = [0x02, 0x40];
const LOOP: Bytes = [0x03, 0x40];
const IF: Bytes = [0x04, 0x40];
const ELSE: Bytes = [0x05];
const END: Bytes = [0x0b];
const brIf = (depth: number): Bytes => [0x0d, ...uleb(depth)];
const op = {
  select: [0x1b],
  i32eqz: [0x45],
  i32ne: [0x47],
  i32ltU: [0x49],
  i32gtU: [0x4b],
  i32ltS: [0x48],
  i32gtS: [0x4a],
  i32add: [0x6a],
  i32sub: [0x6b],
  i32shl: [0x74],
  i32shrU: [0x76],
  f64ne: [0x62],
  f64lt: [0x63],
  f64add: [0xa0],
  f64sub: [0xa1],
  f64mul: [0xa2],
  f64neg: [0x9a],
  vadd: simd(0xf0),
  vsub: simd(0xf1),
  vmul: simd(0xf2),
  vsplat: simd(0x14),
  // swap the two f64 lanes (i8x16.swizzle by a constant)
  vswap: [...simd(0x0c), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, ...simd(0x0e)],
} satisfies Record<string, Bytes>;

/** v128.store64_lane: lane `lane` of the vector on top to [address + offset]. */
const storeLane = (lane: number, offset = 0): Bytes => [...simd(0x5b), 3, ...uleb(offset), lane];

/** v128.const of two f64 lanes. */
function vconst(a: number, b: number): Bytes {
  return [...simd(0x0c), ...new Uint8Array(new Float64Array([a, b]).buffer)];
}

/** One function: named parameters and locals, a body of instructions. */
class Fn {
  private readonly index = new Map<string, number>();
  private readonly localTypes: number[] = [];
  readonly code: Bytes[] = [];

  constructor(
    readonly params: [string, number][],
    readonly results: number[] = [],
  ) {
    params.forEach(([n], i) => this.index.set(n, i));
  }

  locals(type: number, ...names: string[]): void {
    for (const n of names) {
      this.index.set(n, this.params.length + this.localTypes.length);
      this.localTypes.push(type);
    }
  }

  /** local.get of each name. */
  g(...names: string[]): Bytes {
    return names.flatMap((n) => get(this.at(n)));
  }

  s(n: string): Bytes {
    return set(this.at(n));
  }

  private at(n: string): number {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`wasm assembler: no local ${n}`);
    return i;
  }

  emit(...parts: Bytes[]): void {
    this.code.push(...parts);
  }

  type(): Bytes {
    return [0x60, ...vec(this.params.map(([, t]) => [t])), ...vec(this.results.map((t) => [t]))];
  }

  body(): Bytes {
    const groups = this.localTypes.map((t) => [1, t]);
    const b = [...vec(groups), ...this.code.flat(), ...END];
    return [...uleb(b.length), ...b];
  }
}

function assemble(fns: [string, Fn][]): Uint8Array<ArrayBuffer> {
  const types = section(1, vec(fns.map(([, f]) => f.type())));
  // (import "m" "memory" (memory 1))
  const imports = section(2, vec([[...name('m'), ...name('memory'), 0x02, 0x00, 1]]));
  const funcs = section(3, vec(fns.map((_, i) => uleb(i))));
  const exports = section(7, vec(fns.map(([n], i) => [...name(n), 0x00, ...uleb(i)])));
  const code = section(10, vec(fns.map(([, f]) => f.body())));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}

/**
 * fft(re, im, n, twr, twi, q, s): the radix-4 passes of `FFT.butterflies` from stage size q
 * (1, 2 or 4) on, all addresses in bytes, s = +1 forward / −1 inverse. The q = 1 pass (twiddle
 * free) is scalar; the others take twiddle indices k, k + 1 side by side in f64x2 lanes — for
 * k = 0 with the table's (1, −0), which gives the same values as skipping the products.
 */
function fftFn(): Fn {
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
function medianFn(count16 = false): Fn {
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
    [0x0c, 0], // br 0
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
    [0x0c, 0],
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

/**
 * gather(y, win, zr, zi, rev, h, odd): `RealFFT.gatherFirstPass`, with y and win the byte
 * addresses of the frame's first sample and of the window. A complex sample (an even and an odd
 * real one) is one f64x2 vector; the first pass's outputs go to zr/zi lane by lane.
 */
function gatherFn(): Fn {
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
  const rev = [...f.g('pr'), 0x28, 2, 0, ...i32c(3), ...op.i32shl, ...f.s('rv')]; // i32.load
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

/**
 * finish(zr, zi, wr, wi, outRe, outIm, h, from, end): `RealFFT.finish` for the bins
 * 1 ≤ from ≤ k ≤ end ≤ h − 1, two side by side (zr[h − k − 1], zr[h − k] loaded as one vector
 * and swapped), written to outRe/outIm at k.
 */
function finishFn(): Fn {
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
    const load = two ? vload : [...simd(0x0a), 3, 0]; // v128.load64_splat for one bin
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
      ...f.g('H', 'Rk', 'Rb'),
      ...op.vadd,
      ...op.vmul,
      ...f.s('ER'),
      ...f.g('H', 'Ik', 'Ib'),
      ...op.vsub,
      ...op.vmul,
      ...f.s('EI'),
      ...f.g('H', 'Ik', 'Ib'),
      ...op.vadd,
      ...op.vmul,
      ...f.s('OR'),
      ...f.g('NH', 'Rk', 'Rb'),
      ...op.vsub,
      ...op.vmul,
      ...f.s('OI'),
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
  f.emit(
    vconst(0.5, 0.5),
    f.s('H'),
    vconst(-0.5, -0.5),
    f.s('NH'),
    BLOCK,
    LOOP,
    // while k + 1 ≤ end
    f.g('k'),
    i32c(1),
    op.i32add,
    f.g('end'),
    op.i32gtS,
    brIf(1),
    offsets(1),
    bins(true),
    f.g('k'),
    i32c(2),
    op.i32add,
    f.s('k'),
    [0x0c, 0], // br 0
    END,
    END,
    f.g('k', 'end'),
    op.i32gtS,
    op.i32eqz,
    IF,
    offsets(0),
    bins(false),
    END,
  );
  return f;
}

/**
 * down(ye, yo, taps, out, m, mEnd, half): outputs m … mEnd − 1 (a multiple of 4 of them) of
 * `downsample2`, from the input's even samples ye and odd samples yo (so that y[2m ± j] of
 * neighbouring outputs sit side by side): out[m] = √2 · (h₀ y[2m] + Σ_j h_j (y[2m−j] + y[2m+j])),
 * each sum in the order j = 1, 2, … as in TypeScript; taps[i] = h_i, half odd.
 */
function downFn(): Fn {
  const f = new Fn([
    ['ye', I32],
    ['yo', I32],
    ['taps', I32],
    ['out', I32],
    ['m', I32],
    ['mEnd', I32],
    ['half', I32],
  ]);
  f.locals(I32, 'pe', 'po', 'ub', 'endb', 'pw');
  f.locals(V128, 'A0', 'A1', 'W', 'R2');
  const splat = (addr: Bytes) => [...addr, ...simd(0x0a), 3, 0]; // v128.load64_splat
  // acc += W · (load(p − ub + d) + load(p + ub + e)) for both vectors (d, e byte shifts)
  const term = (p: string, plusB: number) => [
    // A0 (outputs m, m + 1)
    ...f.g('A0', 'W', p, 'ub'),
    ...op.i32sub,
    ...vload,
    ...f.g(p, 'ub'),
    ...op.i32add,
    ...i32c(plusB),
    ...op.i32add,
    ...vload,
    ...op.vadd,
    ...op.vmul,
    ...op.vadd,
    ...f.s('A0'),
    // A1 (outputs m + 2, m + 3)
    ...f.g('A1', 'W', p, 'ub'),
    ...op.i32sub,
    ...i32c(16),
    ...op.i32add,
    ...vload,
    ...f.g(p, 'ub'),
    ...op.i32add,
    ...i32c(plusB + 16),
    ...op.i32add,
    ...vload,
    ...op.vadd,
    ...op.vmul,
    ...op.vadd,
    ...f.s('A1'),
  ];
  f.emit(
    vconst(Math.SQRT2, Math.SQRT2),
    f.s('R2'),
    // endb: 8·(half − 1)/2, the last u of the paired loop in bytes
    f.g('half'),
    i32c(1),
    op.i32sub,
    i32c(2),
    op.i32shl,
    f.s('endb'),
    BLOCK,
    f.g('m', 'mEnd'),
    op.i32ltS,
    op.i32eqz,
    brIf(0),
    LOOP,
    f.g('ye', 'm'),
    i32c(3),
    op.i32shl,
    op.i32add,
    f.s('pe'),
    f.g('yo', 'm'),
    i32c(3),
    op.i32shl,
    op.i32add,
    f.s('po'),
    // A = h[half] · y[2m]
    splat([...f.g('taps', 'half'), ...i32c(3), ...op.i32shl, ...op.i32add]),
    f.s('W'),
    f.g('W', 'pe'),
    vload,
    op.vmul,
    f.s('A0'),
    f.g('W', 'pe'),
    [...simd(0x00), 3, 16], // v128.load offset 16
    op.vmul,
    f.s('A1'),
  );
  f.emit(
    // pw: the address of h[half + 1]
    f.g('taps', 'half'),
    i32c(1),
    op.i32add,
    i32c(3),
    op.i32shl,
    op.i32add,
    f.s('pw'),
    i32c(8),
    f.s('ub'),
    LOOP,
    // j = 2u − 1 (odd): yo[m − u], yo[m + u − 1]
    splat(f.g('pw')),
    f.s('W'),
    term('po', -8),
    // j = 2u (even): ye[m − u], ye[m + u]
    splat([...f.g('pw'), ...i32c(8), ...op.i32add]),
    f.s('W'),
    term('pe', 0),
    f.g('pw'),
    i32c(16),
    op.i32add,
    f.s('pw'),
    f.g('ub'),
    i32c(8),
    op.i32add,
    f.s('ub'),
    f.g('ub', 'endb'),
    op.i32gtS,
    op.i32eqz,
    brIf(0),
    END,
    // the last j = half (odd): yo[m − u], yo[m + u − 1] with u = (half + 1) / 2
    splat(f.g('pw')),
    f.s('W'),
    term('po', -8),
    f.g('out', 'm'),
    i32c(3),
    op.i32shl,
    op.i32add,
    f.g('A0', 'R2'),
    op.vmul,
    vstore,
    f.g('out', 'm'),
    i32c(3),
    op.i32shl,
    op.i32add,
    f.g('A1', 'R2'),
    op.vmul,
    [...simd(0x0b), 3, 16], // v128.store offset 16
    f.g('m'),
    i32c(4),
    op.i32add,
    f.s('m'),
    f.g('m', 'mEnd'),
    op.i32ltS,
    brIf(0),
    END,
    END,
  );
  return f;
}

/**
 * bank(w, first, last, rows, cols, x, bins, blocks, out, square): `applyFilterbank`'s four-frame
 * blocks — out[t][r] = Σ_{f = first[r]}^{last[r]} w[r][f] · x[t][f] (x squared when `square`),
 * each sum in ascending f from 0 as in TypeScript — for frames t < 4·blocks, frames t, t + 1 and
 * t + 2, t + 3 side by side in two f64x2 vectors. first/last are i32; out is frames × rows.
 */
function bankFn(): Fn {
  const f = new Fn([
    ['w', I32],
    ['first', I32],
    ['last', I32],
    ['rows', I32],
    ['cols', I32],
    ['x', I32],
    ['bins', I32],
    ['blocks', I32],
    ['out', I32],
    ['square', I32],
  ]);
  f.locals(I32, 'b', 'r', 'pf', 'pend', 'pw', 'px', 'binsb', 'rowsb', 'po', 'xb');
  f.locals(V128, 'A0', 'A1', 'X0', 'X1', 'W');
  const rowOf = (dst: string, off: Bytes) => [
    // dst = (x[px + off], x[px + off + binsb])
    ...f.g('px'),
    ...off,
    ...simd(0x0a),
    3,
    0,
    ...f.s(dst),
    ...f.g('px'),
    ...off,
    ...f.g('binsb'),
    ...op.i32add,
    ...f.g(dst),
    ...simd(0x57), // v128.load64_lane
    3,
    0,
    1,
    ...f.s(dst),
  ];
  f.emit(
    f.g('bins'),
    i32c(3),
    op.i32shl,
    f.s('binsb'),
    f.g('rows'),
    i32c(3),
    op.i32shl,
    f.s('rowsb'),
    i32c(0),
    f.s('b'),
    BLOCK,
    f.g('blocks'),
    op.i32eqz,
    brIf(0),
    LOOP,
    // xb: frame 4b's first value
    f.g('x', 'b', 'binsb'),
    [0x6c], // i32.mul
    i32c(2),
    op.i32shl,
    op.i32add,
    f.s('xb'),
    i32c(0),
    f.s('r'),
    LOOP,
    // pf: the first bin's byte offset; pend: the last's
    f.g('first', 'r'),
    i32c(2),
    op.i32shl,
    op.i32add,
    [0x28, 2, 0],
    i32c(3),
    op.i32shl,
    f.s('pf'),
    f.g('last', 'r'),
    i32c(2),
    op.i32shl,
    op.i32add,
    [0x28, 2, 0],
    i32c(3),
    op.i32shl,
    f.s('pend'),
    // pw: &w[r][first]; px: &x[4b][first]
    f.g('w', 'r', 'cols'),
    [0x6c],
    i32c(3),
    op.i32shl,
    op.i32add,
    f.g('pf'),
    op.i32add,
    f.s('pw'),
    f.g('xb', 'pf'),
    op.i32add,
    f.s('px'),
    f.g('xb', 'pend'),
    op.i32add,
    f.s('pend'),
    vconst(0, 0),
    f.s('A0'),
    vconst(0, 0),
    f.s('A1'),
    BLOCK,
    f.g('px', 'pend'),
    op.i32gtU,
    brIf(0),
    LOOP,
    f.g('pw'),
    simd(0x0a),
    [3, 0],
    f.s('W'),
    rowOf('X0', []),
    rowOf('X1', [...f.g('binsb'), ...i32c(1), ...op.i32shl, ...op.i32add]),
    f.g('square'),
    IF,
    f.g('X0', 'X0'),
    op.vmul,
    f.s('X0'),
    f.g('X1', 'X1'),
    op.vmul,
    f.s('X1'),
    END,
    f.g('A0', 'W', 'X0'),
    op.vmul,
    op.vadd,
    f.s('A0'),
    f.g('A1', 'W', 'X1'),
    op.vmul,
    op.vadd,
    f.s('A1'),
    f.g('pw'),
    i32c(8),
    op.i32add,
    f.s('pw'),
    f.g('px'),
    i32c(8),
    op.i32add,
    f.s('px'),
    f.g('px', 'pend'),
    op.i32gtU,
    op.i32eqz,
    brIf(0),
    END,
    END,
    // out[4b + i][r]
    f.g('out', 'b', 'rowsb'),
    [0x6c],
    i32c(2),
    op.i32shl,
    op.i32add,
    f.g('r'),
    i32c(3),
    op.i32shl,
    op.i32add,
    f.s('po'),
    f.g('po', 'A0'),
    storeLane(0),
    f.g('po', 'rowsb'),
    op.i32add,
    f.g('A0'),
    storeLane(1),
    f.g('po', 'rowsb'),
    i32c(1),
    op.i32shl,
    op.i32add,
    f.g('A1'),
    storeLane(0),
    f.g('po', 'rowsb'),
    i32c(1),
    op.i32shl,
    op.i32add,
    f.g('rowsb'),
    op.i32add,
    f.g('A1'),
    storeLane(1),
    f.g('r'),
    i32c(1),
    op.i32add,
    f.s('r'),
    f.g('r', 'rows'),
    op.i32ltU,
    brIf(0),
    END,
    f.g('b'),
    i32c(1),
    op.i32add,
    f.s('b'),
    f.g('b', 'blocks'),
    op.i32ltU,
    brIf(0),
    END,
    END,
  );
  return f;
}

/**
 * unfinish(re, im, wr, wi, zr, zi, rev, h): bins k = 1 … h − 1 of `RealFFT.inverse`'s first loop
 * (X[k] and conj X[h − k] to the half-size spectrum, stored bit-reversed), two bins side by
 * side; h − 1 odd bins are paired from k = 1, the last one alone. re/im hold X[0..h].
 */
function unfinishFn(): Fn {
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
    const load = two ? vload : [...simd(0x0a), 3, 0]; // one bin: v128.load64_splat
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
      ...f.g('H', 'A', 'B'),
      ...op.vsub,
      ...op.vmul,
      ...f.s('DR'),
      ...f.g('H', 'AI', 'BI'),
      ...op.vsub,
      ...op.vmul,
      ...f.s('DI'),
      ...f.g('H', 'A', 'B'),
      ...op.vadd,
      ...op.vmul,
      ...f.s('A'),
      ...f.g('H', 'AI', 'BI'),
      ...op.vadd,
      ...op.vmul,
      ...f.s('AI'),
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
      0x28,
      2,
      0,
      ...i32c(3),
      ...op.i32shl,
      ...f.s('r0'),
      ...(two
        ? [
            ...f.g('rev', 'k'),
            ...i32c(2),
            ...op.i32shl,
            ...op.i32add,
            0x28,
            2,
            4,
            ...i32c(3),
            ...op.i32shl,
            ...f.s('r1'),
          ]
        : []),
      ...put('zr', 'ZR'),
      ...put('zi', 'ZI'),
    ];
  };
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
  f.emit(
    vconst(0.5, 0.5),
    f.s('H'),
    i32c(1),
    f.s('k'),
    BLOCK,
    LOOP,
    // while k + 1 ≤ h − 1
    f.g('k'),
    i32c(2),
    op.i32add,
    f.g('h'),
    op.i32gtS,
    brIf(1),
    offsets(1),
    bins(true),
    f.g('k'),
    i32c(2),
    op.i32add,
    f.s('k'),
    [0x0c, 0],
    END,
    END,
    f.g('k'),
    i32c(1),
    op.i32add,
    f.g('h'),
    op.i32gtS,
    op.i32eqz,
    IF,
    offsets(0),
    bins(false),
    END,
  );
  return f;
}

/**
 * ola(zr, zi, win, acc, h, s): acc[2j] += (zr[j]·s)·win[2j], acc[2j + 1] += (zi[j]·s)·win[2j + 1]
 * — `RealFFT.inverse`'s scaling and the inverse STFT's overlap-add, fused, for j < h.
 */
function olaFn(): Fn {
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
    simd(0x0a),
    [3, 0],
    f.s('V'),
    f.g('zi', 'jb'),
    op.i32add,
    f.g('V'),
    simd(0x57),
    [3, 0, 1],
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

/**
 * cqpair(table, rows, reA, imA, reB, imB, gain, out, both): `filterPair` for two frames whose
 * spectra are at reA/imA and reB/imB (bin k at + 8k); table: per filter 16 bytes: first bin,
 * tap count, addresses of its real and imaginary taps. Frame A and B side by side in the lanes:
 * out[b] = |Σ w X_A| · gain and (when `both`) out[rows + b] = |Σ w X_B| · gain.
 */
function cqpairFn(): Fn {
  const f = new Fn([
    ['table', I32],
    ['rows', I32],
    ['reA', I32],
    ['imA', I32],
    ['reB', I32],
    ['imB', I32],
    ['gain', F64],
    ['out', I32],
    ['both', I32],
  ]);
  f.locals(I32, 'b', 'pt', 'kb', 'pr', 'pi', 'end', 'po');
  f.locals(V128, 'AR', 'AI', 'RE', 'IM', 'WR', 'WI', 'V');
  const pairOf = (dst: string, a: string, bName: string) => [
    ...f.g(a, 'kb'),
    ...op.i32add,
    ...simd(0x0a),
    3,
    0,
    ...f.s(dst),
    ...f.g(bName, 'kb'),
    ...op.i32add,
    ...f.g(dst),
    ...simd(0x57),
    3,
    0,
    1,
    ...f.s(dst),
  ];
  f.emit(
    i32c(0),
    f.s('b'),
    f.g('table'),
    f.s('pt'),
    f.g('out'),
    f.s('po'),
    BLOCK,
    f.g('rows'),
    op.i32eqz,
    brIf(0),
    LOOP,
    // kb = 8·first; pr, pi: taps; end = pr + 8·count
    f.g('pt'),
    [0x28, 2, 0],
    i32c(3),
    op.i32shl,
    f.s('kb'),
    f.g('pt'),
    [0x28, 2, 8],
    f.s('pr'),
    f.g('pt'),
    [0x28, 2, 12],
    f.s('pi'),
    f.g('pr', 'pt'),
    [0x28, 2, 4],
    i32c(3),
    op.i32shl,
    op.i32add,
    f.s('end'),
    vconst(0, 0),
    f.s('AR'),
    vconst(0, 0),
    f.s('AI'),
    BLOCK,
    f.g('pr', 'end'),
    op.i32ltU,
    op.i32eqz,
    brIf(0),
    LOOP,
    f.g('pr'),
    simd(0x0a),
    [3, 0],
    f.s('WR'),
    f.g('pi'),
    simd(0x0a),
    [3, 0],
    f.s('WI'),
    pairOf('RE', 'reA', 'reB'),
    pairOf('IM', 'imA', 'imB'),
    // ar += wr·re − wi·im; ai += wr·im + wi·re
    f.g('AR', 'WR', 'RE'),
    op.vmul,
    f.g('WI', 'IM'),
    op.vmul,
    op.vsub,
    op.vadd,
    f.s('AR'),
    f.g('AI', 'WR', 'IM'),
    op.vmul,
    f.g('WI', 'RE'),
    op.vmul,
    op.vadd,
    op.vadd,
    f.s('AI'),
    f.g('kb'),
    i32c(8),
    op.i32add,
    f.s('kb'),
    f.g('pi'),
    i32c(8),
    op.i32add,
    f.s('pi'),
    f.g('pr'),
    i32c(8),
    op.i32add,
    f.s('pr'),
    f.g('pr', 'end'),
    op.i32ltU,
    brIf(0),
    END,
    END,
    // √(ar² + ai²) · gain
    f.g('AR', 'AR'),
    op.vmul,
    f.g('AI', 'AI'),
    op.vmul,
    op.vadd,
    simd(0xef), // f64x2.sqrt
    f.g('gain'),
    op.vsplat,
    op.vmul,
    f.s('V'),
    f.g('po', 'V'),
    storeLane(0),
    f.g('both'),
    IF,
    f.g('po', 'rows'),
    i32c(3),
    op.i32shl,
    op.i32add,
    f.g('V'),
    storeLane(1),
    END,
    f.g('po'),
    i32c(8),
    op.i32add,
    f.s('po'),
    f.g('pt'),
    i32c(16),
    op.i32add,
    f.s('pt'),
    f.g('b'),
    i32c(1),
    op.i32add,
    f.s('b'),
    f.g('b', 'rows'),
    op.i32ltU,
    brIf(0),
    END,
    END,
  );
  return f;
}

export interface WasmKernels {
  memory: WebAssembly.Memory;
  fft(re: number, im: number, n: number, twr: number, twi: number, q: number, s: number): void;
  median(
    line: number,
    n: number,
    size: number,
    out: number,
    win: number,
    top: number,
    outStride: number,
  ): void;
  /** `median` for a 31-value window with a +∞ 32nd slot, by counting. */
  median31(
    line: number,
    n: number,
    size: number,
    out: number,
    win: number,
    top: number,
    outStride: number,
  ): void;
  gather(y: number, win: number, zr: number, zi: number, rev: number, h: number, odd: number): void;
  finish(
    zr: number,
    zi: number,
    wr: number,
    wi: number,
    outRe: number,
    outIm: number,
    h: number,
    from: number,
    end: number,
  ): void;
  down(
    ye: number,
    yo: number,
    taps: number,
    out: number,
    m: number,
    mEnd: number,
    half: number,
  ): void;
  bank(
    w: number,
    first: number,
    last: number,
    rows: number,
    cols: number,
    x: number,
    bins: number,
    blocks: number,
    out: number,
    square: number,
  ): void;
  unfinish(
    re: number,
    im: number,
    wr: number,
    wi: number,
    zr: number,
    zi: number,
    rev: number,
    h: number,
  ): void;
  cqpair(
    table: number,
    rows: number,
    reA: number,
    imA: number,
    reB: number,
    imB: number,
    gain: number,
    out: number,
    both: number,
  ): void;
  ola(zr: number, zi: number, win: number, acc: number, h: number, s: number): void;
  /** Byte offset of `bytes` fresh bytes (16-aligned); the memory grows as needed. */
  alloc(bytes: number): number;
  /** A Float64Array view of `length` values at byte offset `at` (of the current buffer). */
  f64(at: number, length: number): Float64Array;
}

let instance: WasmKernels | null | undefined;
let enabled = true;

function instantiate(): WasmKernels | null {
  if (typeof WebAssembly === 'undefined') return null;
  const bytes = wasmModuleBytes();
  if (!WebAssembly.validate(bytes)) return null;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { memory } });
  const e = inst.exports as unknown as Pick<
    WasmKernels,
    | 'fft'
    | 'median'
    | 'median31'
    | 'gather'
    | 'finish'
    | 'down'
    | 'bank'
    | 'unfinish'
    | 'ola'
    | 'cqpair'
  >;
  let top = 16;
  return {
    memory,
    fft: e.fft,
    median: e.median,
    median31: e.median31,
    gather: e.gather,
    finish: e.finish,
    down: e.down,
    bank: e.bank,
    unfinish: e.unfinish,
    ola: e.ola,
    cqpair: e.cqpair,
    alloc(size: number) {
      const at = top;
      top += Math.ceil(size / 16) * 16;
      const pages = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
      if (pages > 0) memory.grow(pages);
      return at;
    },
    f64: (at, length) => new Float64Array(memory.buffer, at, length),
  };
}

/** The module (its memory holds work buffers even while the kernels are disabled), or null. */
export function wasmModule(): WasmKernels | null {
  if (instance === undefined) {
    try {
      instance = instantiate();
    } catch {
      instance = null;
    }
  }
  return instance;
}

/** The kernels, or null where WebAssembly SIMD is unavailable or they are disabled. */
export function wasmKernels(): WasmKernels | null {
  return enabled ? wasmModule() : null;
}

/** Tests and benchmarks: run the TypeScript loops instead (true) or the kernels again (false). */
export function disableWasmKernels(disabled: boolean): void {
  enabled = !disabled;
}

/** The module's bytes. */
export function wasmModuleBytes(): Uint8Array<ArrayBuffer> {
  return assemble([
    ['fft', fftFn()],
    ['median', medianFn()],
    ['median31', medianFn(true)],
    ['gather', gatherFn()],
    ['finish', finishFn()],
    ['down', downFn()],
    ['bank', bankFn()],
    ['unfinish', unfinishFn()],
    ['ola', olaFn()],
    ['cqpair', cqpairFn()],
  ]);
}
