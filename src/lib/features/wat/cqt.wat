;; The CQT's kernels (features/cqt.ts holds their TypeScript twins): the octave resampler over
;; even and odd samples, and the filter responses of two frames at once; f64x2 SIMD.
;; Every kernel does the operations of its TypeScript twin in the same order (IEEE f64, lane by
;; lane, no fused multiply-add), so the results are the same numbers, signed zeros included
;; (tests/unit/audio-wasm.test.ts). Addresses are bytes in the imported memory (features/wasm.ts).
(module
  (import "m" "memory" (memory 1))

  ;; down(ye, yo, taps, out, m, mEnd, half): outputs m … mEnd − 1 (a multiple of 4 of them) of
  ;; `downsample2`, from the input's even samples ye and odd samples yo (so that y[2m ± j] of
  ;; neighbouring outputs sit side by side): out[m] = √2 · (h₀ y[2m] + Σ_j h_j (y[2m−j] + y[2m+j])),
  ;; each sum in the order j = 1, 2, … as in TypeScript; taps[i] = h_i, half odd. A0 holds outputs
  ;; m, m + 1 and A1 outputs m + 2, m + 3.
  (func $down (export "down")
      (param $ye i32) (param $yo i32) (param $taps i32) (param $out i32)
      (param $m i32) (param $mEnd i32) (param $half i32)
      (local $pe i32) (local $po i32) (local $ub i32) (local $endb i32) (local $pw i32)
      (local $A0 v128) (local $A1 v128) (local $W v128) (local $R2 v128)
    (local.set $R2 (v128.const f64x2 1.4142135623730951 1.4142135623730951))
    ;; endb: 8·(half − 1)/2, the last u of the paired loop in bytes
    (local.set $endb (i32.shl (i32.sub (local.get $half) (i32.const 1)) (i32.const 2)))
    (block $outputs_done
      (br_if $outputs_done (i32.eqz (i32.lt_s (local.get $m) (local.get $mEnd))))
      (loop $outputs
        (local.set $pe (i32.add (local.get $ye) (i32.shl (local.get $m) (i32.const 3))))
        (local.set $po (i32.add (local.get $yo) (i32.shl (local.get $m) (i32.const 3))))
        (local.set $W
          (v128.load64_splat (i32.add (local.get $taps) (i32.shl (local.get $half) (i32.const 3)))))
        ;; A = h[half] · y[2m]
        (local.set $A0 (f64x2.mul (local.get $W) (v128.load align=8 (local.get $pe))))
        (local.set $A1 (f64x2.mul (local.get $W) (v128.load offset=16 align=8 (local.get $pe))))
        ;; pw: the address of h[half + 1]
        (local.set $pw
          (i32.add
            (local.get $taps)
            (i32.shl (i32.add (local.get $half) (i32.const 1)) (i32.const 3))))
        (local.set $ub (i32.const 8))
        ;; two taps a step: j = 2u − 1 (odd) from yo[m − u], yo[m + u − 1], then j = 2u (even)
        ;; from ye[m − u], ye[m + u]; each acc += W · (y[2m − j] + y[2m + j])
        (loop $taps
          (local.set $W (v128.load64_splat (local.get $pw)))
          (local.set $A0
            (f64x2.add
              (local.get $A0)
              (f64x2.mul
                (local.get $W)
                (f64x2.add
                  (v128.load align=8 (i32.sub (local.get $po) (local.get $ub)))
                  (v128.load align=8
                    (i32.add (i32.add (local.get $po) (local.get $ub)) (i32.const -8)))))))
          (local.set $A1
            (f64x2.add
              (local.get $A1)
              (f64x2.mul
                (local.get $W)
                (f64x2.add
                  (v128.load align=8
                    (i32.add (i32.sub (local.get $po) (local.get $ub)) (i32.const 16)))
                  (v128.load align=8
                    (i32.add (i32.add (local.get $po) (local.get $ub)) (i32.const 8)))))))
          (local.set $W (v128.load64_splat (i32.add (local.get $pw) (i32.const 8))))
          (local.set $A0
            (f64x2.add
              (local.get $A0)
              (f64x2.mul
                (local.get $W)
                (f64x2.add
                  (v128.load align=8 (i32.sub (local.get $pe) (local.get $ub)))
                  (v128.load align=8
                    (i32.add (i32.add (local.get $pe) (local.get $ub)) (i32.const 0)))))))
          (local.set $A1
            (f64x2.add
              (local.get $A1)
              (f64x2.mul
                (local.get $W)
                (f64x2.add
                  (v128.load align=8
                    (i32.add (i32.sub (local.get $pe) (local.get $ub)) (i32.const 16)))
                  (v128.load align=8
                    (i32.add (i32.add (local.get $pe) (local.get $ub)) (i32.const 16)))))))
          (local.set $pw (i32.add (local.get $pw) (i32.const 16)))
          (local.set $ub (i32.add (local.get $ub) (i32.const 8)))
          (br_if $taps (i32.eqz (i32.gt_s (local.get $ub) (local.get $endb)))))
        (local.set $W (v128.load64_splat (local.get $pw)))
        (local.set $A0
          (f64x2.add
            (local.get $A0)
            (f64x2.mul
              (local.get $W)
              (f64x2.add
                (v128.load align=8 (i32.sub (local.get $po) (local.get $ub)))
                (v128.load align=8
                  (i32.add (i32.add (local.get $po) (local.get $ub)) (i32.const -8)))))))
        (local.set $A1
          (f64x2.add
            (local.get $A1)
            (f64x2.mul
              (local.get $W)
              (f64x2.add
                (v128.load align=8
                  (i32.add (i32.sub (local.get $po) (local.get $ub)) (i32.const 16)))
                (v128.load align=8
                  (i32.add (i32.add (local.get $po) (local.get $ub)) (i32.const 8)))))))
        (v128.store align=8
          (i32.add (local.get $out) (i32.shl (local.get $m) (i32.const 3)))
          (f64x2.mul (local.get $A0) (local.get $R2)))
        (v128.store offset=16 align=8
          (i32.add (local.get $out) (i32.shl (local.get $m) (i32.const 3)))
          (f64x2.mul (local.get $A1) (local.get $R2)))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (br_if $outputs (i32.lt_s (local.get $m) (local.get $mEnd))))))

  ;; cqpair(table, rows, reA, imA, reB, imB, gain, out, both): `filterPair` for two frames whose
  ;; spectra are at reA/imA and reB/imB (bin k at + 8k); table: per filter 16 bytes: first bin, tap
  ;; count, addresses of its real and imaginary taps. Frame A and B side by side in the lanes:
  ;; out[b] = |Σ w X_A| · gain and (when `both`) out[rows + b] = |Σ w X_B| · gain.
  (func $cqpair (export "cqpair")
      (param $table i32) (param $rows i32) (param $reA i32)
      (param $imA i32) (param $reB i32) (param $imB i32) (param $gain f64) (param $out i32)
      (param $both i32)
      (local $b i32) (local $pt i32) (local $kb i32) (local $pr i32) (local $pi i32)
      (local $end i32) (local $po i32)
      (local $AR v128) (local $AI v128) (local $RE v128) (local $IM v128) (local $WR v128)
      (local $WI v128) (local $V v128)
    (local.set $b (i32.const 0))
    (local.set $pt (local.get $table))
    (local.set $po (local.get $out))
    (block $rows_done
      (br_if $rows_done (i32.eqz (local.get $rows)))
      (loop $rows
        ;; kb = 8·first; pr, pi: the taps; end = pr + 8·count
        (local.set $kb (i32.shl (i32.load (local.get $pt)) (i32.const 3)))
        (local.set $pr (i32.load offset=8 (local.get $pt)))
        (local.set $pi (i32.load offset=12 (local.get $pt)))
        (local.set $end
          (i32.add (local.get $pr) (i32.shl (i32.load offset=4 (local.get $pt)) (i32.const 3))))
        (local.set $AR (v128.const f64x2 0 0))
        (local.set $AI (v128.const f64x2 0 0))
        (block $taps_done
          (br_if $taps_done (i32.eqz (i32.lt_u (local.get $pr) (local.get $end))))
          ;; ar += wr·re − wi·im; ai += wr·im + wi·re
          (loop $taps
            (local.set $WR (v128.load64_splat (local.get $pr)))
            (local.set $WI (v128.load64_splat (local.get $pi)))
            (local.set $RE (v128.load64_splat (i32.add (local.get $reA) (local.get $kb))))
            (local.set $RE
              (v128.load64_lane 1 (i32.add (local.get $reB) (local.get $kb)) (local.get $RE)))
            (local.set $IM (v128.load64_splat (i32.add (local.get $imA) (local.get $kb))))
            (local.set $IM
              (v128.load64_lane 1 (i32.add (local.get $imB) (local.get $kb)) (local.get $IM)))
            (local.set $AR
              (f64x2.add
                (local.get $AR)
                (f64x2.sub
                  (f64x2.mul (local.get $WR) (local.get $RE))
                  (f64x2.mul (local.get $WI) (local.get $IM)))))
            (local.set $AI
              (f64x2.add
                (local.get $AI)
                (f64x2.add
                  (f64x2.mul (local.get $WR) (local.get $IM))
                  (f64x2.mul (local.get $WI) (local.get $RE)))))
            (local.set $kb (i32.add (local.get $kb) (i32.const 8)))
            (local.set $pi (i32.add (local.get $pi) (i32.const 8)))
            (local.set $pr (i32.add (local.get $pr) (i32.const 8)))
            (br_if $taps (i32.lt_u (local.get $pr) (local.get $end)))))
        (local.set $V
          (f64x2.mul
            ;; √(ar² + ai²) · gain
            (f64x2.sqrt
              (f64x2.add
                (f64x2.mul (local.get $AR) (local.get $AR))
                (f64x2.mul (local.get $AI) (local.get $AI))))
            (f64x2.splat (local.get $gain))))
        (v128.store64_lane 0 (local.get $po) (local.get $V))
        (if
          (local.get $both)
          (then
            (v128.store64_lane 1
              (i32.add (local.get $po) (i32.shl (local.get $rows) (i32.const 3)))
              (local.get $V))))
        (local.set $po (i32.add (local.get $po) (i32.const 8)))
        (local.set $pt (i32.add (local.get $pt) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $b) (local.get $rows)))))))
