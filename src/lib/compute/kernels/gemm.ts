/**
 * The one matrix product the `cpu` backend's 3D-convolution kernels lower to, in plain JavaScript.
 * Register-blocked (a 4 × 4 tile of the result held in locals, which V8 keeps in machine
 * registers) and reading both operands row by row, so every load is sequential.
 */

/**
 * C[P, N] += A[Q, P]ᵀ · B[Q, N], all row-major and dense, starting at the given offsets.
 * The convolutions use it three ways: forward and input gradient with A = a transposed column
 * matrix (Q = filter taps × channels, P = voxels), filter gradient with A = a column matrix
 * (Q = voxels, P = taps × channels).
 */
export function gemmTN(
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  c: Float32Array,
  cOff: number,
  Q: number,
  P: number,
  N: number,
): void {
  const P4 = P - (P % 4);
  const N4 = N - (N % 4);
  for (let i = 0; i < P4; i += 4) {
    const ci = cOff + i * N;
    for (let j = 0; j < N4; j += 4) {
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0;
      let s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0;
      let s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let q = 0, aq = aOff + i, bq = bOff + j; q < Q; q++, aq += P, bq += N) {
        const b0 = b[bq],
          b1 = b[bq + 1],
          b2 = b[bq + 2],
          b3 = b[bq + 3];
        const a0 = a[aq];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s02 += a0 * b2;
        s03 += a0 * b3;
        const a1 = a[aq + 1];
        s10 += a1 * b0;
        s11 += a1 * b1;
        s12 += a1 * b2;
        s13 += a1 * b3;
        const a2 = a[aq + 2];
        s20 += a2 * b0;
        s21 += a2 * b1;
        s22 += a2 * b2;
        s23 += a2 * b3;
        const a3 = a[aq + 3];
        s30 += a3 * b0;
        s31 += a3 * b1;
        s32 += a3 * b2;
        s33 += a3 * b3;
      }
      let o = ci + j;
      c[o] += s00;
      c[o + 1] += s01;
      c[o + 2] += s02;
      c[o + 3] += s03;
      o += N;
      c[o] += s10;
      c[o + 1] += s11;
      c[o + 2] += s12;
      c[o + 3] += s13;
      o += N;
      c[o] += s20;
      c[o + 1] += s21;
      c[o + 2] += s22;
      c[o + 3] += s23;
      o += N;
      c[o] += s30;
      c[o + 1] += s31;
      c[o + 2] += s32;
      c[o + 3] += s33;
    }
    let j0 = N4;
    if (N - N4 === 3) {
      // Three leftover columns (e.g. the RGB output layer) in one pass over A, not three.
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s20 = 0;
      let s21 = 0;
      let s22 = 0;
      let s30 = 0;
      let s31 = 0;
      let s32 = 0;
      for (let q = 0, aq = aOff + i, bq = bOff + N4; q < Q; q++, aq += P, bq += N) {
        const b0 = b[bq];
        const b1 = b[bq + 1];
        const b2 = b[bq + 2];
        const a0 = a[aq];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s02 += a0 * b2;
        const a1 = a[aq + 1];
        s10 += a1 * b0;
        s11 += a1 * b1;
        s12 += a1 * b2;
        const a2 = a[aq + 2];
        s20 += a2 * b0;
        s21 += a2 * b1;
        s22 += a2 * b2;
        const a3 = a[aq + 3];
        s30 += a3 * b0;
        s31 += a3 * b1;
        s32 += a3 * b2;
      }
      let o = ci + N4;
      c[o] += s00;
      c[o + 1] += s01;
      c[o + 2] += s02;
      o += N;
      c[o] += s10;
      c[o + 1] += s11;
      c[o + 2] += s12;
      o += N;
      c[o] += s20;
      c[o + 1] += s21;
      c[o + 2] += s22;
      o += N;
      c[o] += s30;
      c[o + 1] += s31;
      c[o + 2] += s32;
      j0 = N;
    }
    for (let j = j0; j < N; j++) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let q = 0, aq = aOff + i, bq = bOff + j; q < Q; q++, aq += P, bq += N) {
        const bv = b[bq];
        s0 += a[aq] * bv;
        s1 += a[aq + 1] * bv;
        s2 += a[aq + 2] * bv;
        s3 += a[aq + 3] * bv;
      }
      c[ci + j] += s0;
      c[ci + N + j] += s1;
      c[ci + 2 * N + j] += s2;
      c[ci + 3 * N + j] += s3;
    }
  }
  for (let i = P4; i < P; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let q = 0, aq = aOff + i, bq = bOff + j; q < Q; q++, aq += P, bq += N) {
        s += a[aq] * b[bq];
      }
      c[cOff + i * N + j] += s;
    }
  }
}
