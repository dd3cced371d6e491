;; The filterbanks' (mel, chroma, DCT) four-frame blocks (`applyFilterbank` in features/spectral.ts
;; is the TypeScript twin); f64x2 SIMD.
;; Every kernel does the operations of its TypeScript twin in the same order (IEEE f64, lane by
;; lane, no fused multiply-add), so the results are the same numbers, signed zeros included
;; (tests/unit/audio-wasm.test.ts). Addresses are bytes in the imported memory (features/wasm.ts).
(module
  (import "m" "memory" (memory 1))

  ;; bank(w, first, last, rows, cols, x, bins, blocks, out, square): `applyFilterbank`'s four-frame
  ;; blocks: out[t][r] = Σ_{f = first[r]}^{last[r]} w[r][f] · x[t][f] (x squared when `square`), each
  ;; sum in ascending f from 0 as in TypeScript, for frames t < 4·blocks, frames t, t + 1 and t + 2,
  ;; t + 3 side by side in two f64x2 vectors. first/last are i32; out is frames × rows.
  (func $bank (export "bank")
      (param $w i32) (param $first i32) (param $last i32) (param $rows i32)
      (param $cols i32) (param $x i32) (param $bins i32) (param $blocks i32) (param $out i32)
      (param $square i32)
      (local $b i32) (local $r i32) (local $pf i32) (local $pend i32) (local $pw i32)
      (local $px i32) (local $binsb i32) (local $rowsb i32) (local $po i32) (local $xb i32)
      (local $A0 v128) (local $A1 v128) (local $X0 v128) (local $X1 v128) (local $W v128)
    (local.set $binsb (i32.shl (local.get $bins) (i32.const 3)))
    (local.set $rowsb (i32.shl (local.get $rows) (i32.const 3)))
    (local.set $b (i32.const 0))
    (block $blocks_done
      (br_if $blocks_done (i32.eqz (local.get $blocks)))
      (loop $blocks
        ;; xb: frame 4b's first value
        (local.set $xb
          (i32.add
            (local.get $x)
            (i32.shl (i32.mul (local.get $b) (local.get $binsb)) (i32.const 2))))
        (local.set $r (i32.const 0))
        (loop $rows
          ;; pf: the first bin's byte offset; pend: the last's
          (local.set $pf
            (i32.shl
              (i32.load (i32.add (local.get $first) (i32.shl (local.get $r) (i32.const 2))))
              (i32.const 3)))
          (local.set $pend
            (i32.shl
              (i32.load (i32.add (local.get $last) (i32.shl (local.get $r) (i32.const 2))))
              (i32.const 3)))
          ;; pw: &w[r][first]; px: &x[4b][first]
          (local.set $pw
            (i32.add
              (i32.add
                (local.get $w)
                (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 3)))
              (local.get $pf)))
          (local.set $px (i32.add (local.get $xb) (local.get $pf)))
          (local.set $pend (i32.add (local.get $xb) (local.get $pend)))
          (local.set $A0 (v128.const f64x2 0 0))
          (local.set $A1 (v128.const f64x2 0 0))
          (block $cols_done
            (br_if $cols_done (i32.gt_u (local.get $px) (local.get $pend)))
            ;; X0 = (x[4b][f], x[4b + 1][f]), X1 = (x[4b + 2][f], x[4b + 3][f])
            (loop $cols
              (local.set $W (v128.load64_splat (local.get $pw)))
              (local.set $X0 (v128.load64_splat (local.get $px)))
              (local.set $X0
                (v128.load64_lane 1 (i32.add (local.get $px) (local.get $binsb)) (local.get $X0)))
              (local.set $X1
                (v128.load64_splat
                  (i32.add (local.get $px) (i32.shl (local.get $binsb) (i32.const 1)))))
              (local.set $X1
                (v128.load64_lane 1
                  (i32.add
                    (i32.add (local.get $px) (i32.shl (local.get $binsb) (i32.const 1)))
                    (local.get $binsb))
                  (local.get $X1)))
              (if
                (local.get $square)
                (then
                  (local.set $X0 (f64x2.mul (local.get $X0) (local.get $X0)))
                  (local.set $X1 (f64x2.mul (local.get $X1) (local.get $X1)))))
              (local.set $A0 (f64x2.add (local.get $A0) (f64x2.mul (local.get $W) (local.get $X0))))
              (local.set $A1 (f64x2.add (local.get $A1) (f64x2.mul (local.get $W) (local.get $X1))))
              (local.set $pw (i32.add (local.get $pw) (i32.const 8)))
              (local.set $px (i32.add (local.get $px) (i32.const 8)))
              (br_if $cols (i32.eqz (i32.gt_u (local.get $px) (local.get $pend))))))
          (local.set $po
            (i32.add
              (i32.add
                (local.get $out)
                (i32.shl (i32.mul (local.get $b) (local.get $rowsb)) (i32.const 2)))
              (i32.shl (local.get $r) (i32.const 3))))
          (v128.store64_lane 0 (local.get $po) (local.get $A0))
          (v128.store64_lane 1 (i32.add (local.get $po) (local.get $rowsb)) (local.get $A0))
          (v128.store64_lane 0
            (i32.add (local.get $po) (i32.shl (local.get $rowsb) (i32.const 1)))
            (local.get $A1))
          (v128.store64_lane 1
            (i32.add
              (i32.add (local.get $po) (i32.shl (local.get $rowsb) (i32.const 1)))
              (local.get $rowsb))
            (local.get $A1))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br_if $rows (i32.lt_u (local.get $r) (local.get $rows))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br_if $blocks (i32.lt_u (local.get $b) (local.get $blocks)))))))
