/**
 * A minimal WebAssembly assembler: the binary encoding, the instructions (core and 128-bit SIMD)
 * our hand-written kernels use, functions with named locals (`Fn`) and a module of them that
 * imports its memory as m.memory (`assemble`). There is no wasm compiler in the toolchain; the
 * audio features' and the ingest scaler's kernels are written with this.
 */

export type Bytes = number[];

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

export function uleb(n: number): Bytes {
  const out: Bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function sleb(n: number): Bytes {
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

export const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: Bytes): Bytes => [id, ...uleb(body.length), ...body];
export const name = (s: string): Bytes => vec([...s].map((c) => [c.charCodeAt(0)]));

// instructions (a function body is a flat list of these)
export const get = (i: number): Bytes => [0x20, ...uleb(i)];
export const set = (i: number): Bytes => [0x21, ...uleb(i)];
export const i32c = (v: number): Bytes => [0x41, ...sleb(v)];
export const simd = (op: number): Bytes => [0xfd, ...uleb(op)];
/** i32.load from [address + offset]. */
export const i32load = (offset = 0): Bytes => [0x28, 2, ...uleb(offset)];
export const f64load: Bytes = [0x2b, 3, 0];
export const f64store: Bytes = [0x39, 3, 0];
export const f32store: Bytes = [0x38, 2, 0];
/** v128.load from [address + offset]. */
export const vloadAt = (offset: number): Bytes => [...simd(0x00), 3, ...uleb(offset)];
export const vload: Bytes = vloadAt(0);
/** v128.store to [address + offset]. */
export const vstoreAt = (offset: number): Bytes => [...simd(0x0b), 3, ...uleb(offset)];
export const vstore: Bytes = vstoreAt(0);
/** v128.load64_splat: the f64 at the address on top in both lanes. */
export const vloadSplat: Bytes = [...simd(0x0a), 3, 0];
/** v128.load32_splat: the f32 (or i32) at [address + offset] in all four lanes. */
export const vloadSplat32 = (offset = 0): Bytes => [...simd(0x09), 2, ...uleb(offset)];
/** v128.load64_lane: the f64 at the address into lane `lane` of the vector on top. */
export const loadLane = (lane: number): Bytes => [...simd(0x57), 3, 0, lane];
export const BLOCK: Bytes = [0x02, 0x40];
export const LOOP: Bytes = [0x03, 0x40];
export const IF: Bytes = [0x04, 0x40];
export const ELSE: Bytes = [0x05];
export const END: Bytes = [0x0b];
export const br = (depth: number): Bytes => [0x0c, ...uleb(depth)];
export const brIf = (depth: number): Bytes => [0x0d, ...uleb(depth)];
export const op = {
  select: [0x1b],
  i32eqz: [0x45],
  i32eq: [0x46],
  i32ne: [0x47],
  i32ltU: [0x49],
  i32gtU: [0x4b],
  i32ltS: [0x48],
  i32gtS: [0x4a],
  i32add: [0x6a],
  i32mul: [0x6c],
  i32sub: [0x6b],
  i32shl: [0x74],
  i32shrU: [0x76],
  f64ne: [0x62],
  f64lt: [0x63],
  f64add: [0xa0],
  f64sub: [0xa1],
  f64mul: [0xa2],
  f64neg: [0x9a],
  f32add: [0x92],
  vadd: simd(0xf0),
  vsub: simd(0xf1),
  vmul: simd(0xf2),
  vsplat: simd(0x14),
  f32x4add: simd(0xe4),
  f32x4mul: simd(0xe6),
  /** Bytes → u16 lanes (low or high 8 bytes), u16 → u32 lanes, and two i32 lanes → f64x2. */
  u8x16WidenLow: simd(0x89),
  u8x16WidenHigh: simd(0x8a),
  u16x8WidenLow: simd(0xa9),
  u16x8WidenHigh: simd(0xaa),
  i32x4LowToF64x2: simd(0xfe),
  /** i8x16.swizzle: bytes of the first vector picked by the second (out of range: 0). */
  swizzle: simd(0x0e),
  /** f32x4.convert_i32x4_s. */
  f32x4FromI32: simd(0xfa),
  // swap the two f64 lanes (i8x16.swizzle by a constant)
  vswap: [...simd(0x0c), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, ...simd(0x0e)],
} satisfies Record<string, Bytes>;

/** f32x4.extract_lane. */
export const f32Lane = (lane: number): Bytes => [...simd(0x1f), lane];

/** v128.store64_lane: lane `lane` of the vector on top to [address + offset]. */
export const storeLane = (lane: number, offset = 0): Bytes => [
  ...simd(0x5b),
  3,
  ...uleb(offset),
  lane,
];

/** v128.const of two f64 lanes. */
export function vconst(a: number, b: number): Bytes {
  return [...simd(0x0c), ...new Uint8Array(new Float64Array([a, b]).buffer)];
}

/** v128.const of 16 bytes. */
export const vbytes = (bytes: number[]): Bytes => [...simd(0x0c), ...bytes];

/** v128.const of four equal i32 lanes (0 is also four f32 zeros). */
export function vconst32(v: number): Bytes {
  return [...simd(0x0c), ...new Uint8Array(new Int32Array([v, v, v, v]).buffer)];
}

/** One function: named parameters and locals, a body of instructions. */
export class Fn {
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

  /** local.tee: set and keep the value on the stack. */
  t(n: string): Bytes {
    return [0x22, ...uleb(this.at(n))];
  }

  private at(n: string): number {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`wasm assembler: no local ${n}`);
    return i;
  }

  /**
   * The end of a counting loop: `counter` += `step`; loop again while it is below `limit` (a
   * local's name or a constant); END.
   */
  loopWhileBelow(counter: string, limit: string | number, step = 1): Bytes {
    const bound = typeof limit === 'number' ? i32c(limit) : this.g(limit);
    return [
      ...this.g(counter),
      ...i32c(step),
      ...op.i32add,
      ...this.t(counter),
      ...bound,
      ...op.i32ltU,
      ...brIf(0),
      ...END,
    ];
  }

  /**
   * The sum of the f32x4 local `v`'s lanes, (l0 + l2) + (l1 + l3), left on the stack (`v` is
   * overwritten).
   */
  f32x4Sum(v: string): Bytes {
    return [
      ...this.g(v, v),
      ...op.vswap,
      ...op.f32x4add,
      ...this.t(v),
      ...f32Lane(0),
      ...this.g(v),
      ...f32Lane(1),
      ...op.f32add,
    ];
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

export function assemble(fns: [string, Fn][]): Uint8Array<ArrayBuffer> {
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

/** Grows `memory` (by whole 64-KB pages) until it holds at least `bytes`. */
export function reserveMemory(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}

/**
 * A kernel module's instances: the module is assembled and compiled on the first call (once per
 * worker), and each call gives a fresh instance with a memory of its own.
 */
export function kernelInstances<T>(
  functions: () => [string, Fn][],
): () => { memory: WebAssembly.Memory; exports: T } {
  let compiled: WebAssembly.Module | null = null;
  return () => {
    compiled ??= new WebAssembly.Module(assemble(functions()));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { exports } = new WebAssembly.Instance(compiled, { m: { memory } });
    return { memory, exports: exports as unknown as T };
  };
}
