;; The real FFT's steps around the complex FFT (`RealFFT` in features/real-fft.ts, which the STFT
;; and the inverse STFT of features/spectrum.ts run): the first pass's gather, the finishing step
;; and its inverse, and the inverse's scaling fused with the overlap-add; f64x2 SIMD.
;; Every kernel does the operations of its TypeScript twin in the same order (IEEE f64, lane by
;; lane, no fused multiply-add), so the results are the same numbers, signed zeros included
;; (tests/unit/audio-wasm.test.ts). Addresses are bytes in the imported memory (features/wasm.ts).
(module
  (import "m" "memory" (memory 1))

  ;; gather(y, win, zr, zi, rev, h, odd): `RealFFT.gatherFirstPass`, with y and win the addresses of
  ;; the frame's first sample and of the window. A complex sample (an even and an odd real one) is one
  ;; f64x2 vector; the first pass's outputs go to zr/zi lane by lane, at the bit-reversed rev[j].
  (func $gather (export "gather")
      (param $y i32) (param $win i32) (param $zr i32) (param $zi i32)
      (param $rev i32) (param $h i32) (param $odd i32)
      (local $u i32) (local $end i32) (local $hb i32) (local $qb i32) (local $pr i32)
      (local $rv i32)
      (local $X0 v128) (local $X1 v128) (local $X2 v128) (local $X3 v128) (local $A1 v128)
      (local $B1 v128) (local $C1 v128) (local $D1 v128)
    ;; hb = 8h, qb = 4h: the byte offsets of samples j + h/2 and j + h/4 from j (u = 16j)
    (local.set $hb (i32.shl (local.get $h) (i32.const 3)))
    (local.set $qb (i32.shl (local.get $h) (i32.const 2)))
    (local.set $u (i32.const 0))
    (local.set $pr (local.get $rev))
    (if
      (local.get $odd)
      (then
        (local.set $end (local.get $hb))
        ;; odd log4: samples j and j + h/2 (a radix-2 first pass) to rev[j], rev[j] + 1, for j < h/2
        (loop $pairs
          (local.set $rv (i32.shl (i32.load (local.get $pr)) (i32.const 3)))
          ;; X = y · win for the complex samples u and u + 8h bytes on
          (local.set $X0
            (f64x2.mul
              (v128.load align=8 (i32.add (local.get $y) (local.get $u)))
              (v128.load align=8 (i32.add (local.get $win) (local.get $u)))))
          (local.set $X1
            (f64x2.mul
              (v128.load align=8 (i32.add (i32.add (local.get $y) (local.get $u)) (local.get $hb)))
              (v128.load align=8
                (i32.add (i32.add (local.get $win) (local.get $u)) (local.get $hb)))))
          (v128.store64_lane 0
            (i32.add (local.get $zr) (local.get $rv))
            (f64x2.add (local.get $X0) (local.get $X1)))
          (v128.store64_lane 1
            (i32.add (local.get $zi) (local.get $rv))
            (f64x2.add (local.get $X0) (local.get $X1)))
          (v128.store64_lane offset=8 0
            (i32.add (local.get $zr) (local.get $rv))
            (f64x2.sub (local.get $X0) (local.get $X1)))
          (v128.store64_lane offset=8 1
            (i32.add (local.get $zi) (local.get $rv))
            (f64x2.sub (local.get $X0) (local.get $X1)))
          (local.set $pr (i32.add (local.get $pr) (i32.const 4)))
          (local.set $u (i32.add (local.get $u) (i32.const 16)))
          (br_if $pairs (i32.lt_u (local.get $u) (local.get $end)))))
      (else
        (local.set $end (local.get $qb))
        ;; samples j, j + h/2, j + h/4, j + 3h/4 to rev[j] … rev[j] + 3, for j < h/4
        (loop $quads
          (local.set $rv (i32.shl (i32.load (local.get $pr)) (i32.const 3)))
          (local.set $X0
            (f64x2.mul
              (v128.load align=8 (i32.add (local.get $y) (local.get $u)))
              (v128.load align=8 (i32.add (local.get $win) (local.get $u)))))
          (local.set $X1
            (f64x2.mul
              (v128.load align=8 (i32.add (i32.add (local.get $y) (local.get $u)) (local.get $hb)))
              (v128.load align=8
                (i32.add (i32.add (local.get $win) (local.get $u)) (local.get $hb)))))
          (local.set $X2
            (f64x2.mul
              (v128.load align=8 (i32.add (i32.add (local.get $y) (local.get $u)) (local.get $qb)))
              (v128.load align=8
                (i32.add (i32.add (local.get $win) (local.get $u)) (local.get $qb)))))
          (local.set $X3
            (f64x2.mul
              (v128.load align=8
                (i32.add
                  (i32.add (i32.add (local.get $y) (local.get $u)) (local.get $hb))
                  (local.get $qb)))
              (v128.load align=8
                (i32.add
                  (i32.add (i32.add (local.get $win) (local.get $u)) (local.get $hb))
                  (local.get $qb)))))
          (local.set $A1 (f64x2.add (local.get $X0) (local.get $X1)))
          (local.set $B1 (f64x2.sub (local.get $X0) (local.get $X1)))
          (local.set $C1 (f64x2.add (local.get $X2) (local.get $X3)))
          ;; D1 = (d1i, −d1r): B1 ± D1 are the outputs at r + 1 and r + 3
          (local.set $D1
            (f64x2.mul
              (i8x16.swizzle
                (f64x2.sub (local.get $X2) (local.get $X3))
                (v128.const i8x16 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7))
              (v128.const f64x2 1.0 -1.0)))
          (v128.store64_lane 0
            (i32.add (local.get $zr) (local.get $rv))
            (f64x2.add (local.get $A1) (local.get $C1)))
          (v128.store64_lane 1
            (i32.add (local.get $zi) (local.get $rv))
            (f64x2.add (local.get $A1) (local.get $C1)))
          (v128.store64_lane offset=16 0
            (i32.add (local.get $zr) (local.get $rv))
            (f64x2.sub (local.get $A1) (local.get $C1)))
          (v128.store64_lane offset=16 1
            (i32.add (local.get $zi) (local.get $rv))
            (f64x2.sub (local.get $A1) (local.get $C1)))
          (v128.store64_lane offset=8 0
            (i32.add (local.get $zr) (local.get $rv))
            (f64x2.add (local.get $B1) (local.get $D1)))
          (v128.store64_lane offset=8 1
            (i32.add (local.get $zi) (local.get $rv))
            (f64x2.add (local.get $B1) (local.get $D1)))
          (v128.store64_lane offset=24 0
            (i32.add (local.get $zr) (local.get $rv))
            (f64x2.sub (local.get $B1) (local.get $D1)))
          (v128.store64_lane offset=24 1
            (i32.add (local.get $zi) (local.get $rv))
            (f64x2.sub (local.get $B1) (local.get $D1)))
          (local.set $pr (i32.add (local.get $pr) (i32.const 4)))
          (local.set $u (i32.add (local.get $u) (i32.const 16)))
          (br_if $quads (i32.lt_u (local.get $u) (local.get $end)))))))

  ;; finish(zr, zi, wr, wi, ore, oim, h, k, end): `RealFFT.finish` for the bins 1 ≤ k ≤ end ≤ h − 1,
  ;; written to ore/oim at k: bins k, k + 1 side by side while both are in range (zr[h − k − 1],
  ;; zr[h − k] loaded as one vector and swapped), then a last bin alone (in both lanes) if one is left.
  (func $finish (export "finish")
      (param $zr i32) (param $zi i32) (param $wr i32) (param $wi i32)
      (param $ore i32) (param $oim i32) (param $h i32) (param $k i32) (param $end i32)
      (local $kb i32) (local $bb i32)
      (local $H v128) (local $NH v128) (local $Rk v128) (local $Ik v128) (local $Rb v128)
      (local $Ib v128) (local $ER v128) (local $EI v128) (local $OR v128) (local $OI v128)
      (local $WR v128) (local $WI v128)
    ;; H, NH = ±½ in both lanes; ER/EI, OR/OI: the even and odd halves of the bins
    (local.set $H (v128.const f64x2 0.5 0.5))
    (local.set $NH (v128.const f64x2 -0.5 -0.5))
    (block $bins_done
      (loop $bin_pairs
        (br_if $bins_done (i32.gt_s (i32.add (local.get $k) (i32.const 1)) (local.get $end)))
        ;; kb: the byte offset of k; bb: that of h − k − 1 (two bins) or h − k (one)
        (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
        (local.set $bb
          (i32.shl (i32.sub (i32.sub (local.get $h) (local.get $k)) (i32.const 1)) (i32.const 3)))
        (local.set $Rk (v128.load align=8 (i32.add (local.get $zr) (local.get $kb))))
        (local.set $Ik (v128.load align=8 (i32.add (local.get $zi) (local.get $kb))))
        (local.set $Rb
          (i8x16.swizzle
            (v128.load align=8 (i32.add (local.get $zr) (local.get $bb)))
            (v128.const i8x16 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7)))
        (local.set $Ib
          (i8x16.swizzle
            (v128.load align=8 (i32.add (local.get $zi) (local.get $bb)))
            (v128.const i8x16 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7)))
        ;; er = ½(zr[k] + zr[h−k]), ei = ½(zi[k] − zi[h−k]), or = ½(zi[k] + zi[h−k]),
        ;; oi = −½(zr[k] − zr[h−k])
        (local.set $ER (f64x2.mul (local.get $H) (f64x2.add (local.get $Rk) (local.get $Rb))))
        (local.set $EI (f64x2.mul (local.get $H) (f64x2.sub (local.get $Ik) (local.get $Ib))))
        (local.set $OR (f64x2.mul (local.get $H) (f64x2.add (local.get $Ik) (local.get $Ib))))
        (local.set $OI (f64x2.mul (local.get $NH) (f64x2.sub (local.get $Rk) (local.get $Rb))))
        (local.set $WR (v128.load align=8 (i32.add (local.get $wr) (local.get $kb))))
        (local.set $WI (v128.load align=8 (i32.add (local.get $wi) (local.get $kb))))
        ;; outRe = er + wr·or − wi·oi; outIm = ei + wr·oi + wi·or
        (v128.store align=8
          (i32.add (local.get $ore) (local.get $kb))
          (f64x2.sub
            (f64x2.add (local.get $ER) (f64x2.mul (local.get $WR) (local.get $OR)))
            (f64x2.mul (local.get $WI) (local.get $OI))))
        (v128.store align=8
          (i32.add (local.get $oim) (local.get $kb))
          (f64x2.add
            (f64x2.add (local.get $EI) (f64x2.mul (local.get $WR) (local.get $OI)))
            (f64x2.mul (local.get $WI) (local.get $OR))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $bin_pairs)))
    ;; one bin left: the same expressions with each value in both lanes
    (if
      (i32.eqz (i32.gt_s (local.get $k) (local.get $end)))
      (then
        (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
        (local.set $bb
          (i32.shl (i32.sub (i32.sub (local.get $h) (local.get $k)) (i32.const 0)) (i32.const 3)))
        (local.set $Rk (v128.load64_splat (i32.add (local.get $zr) (local.get $kb))))
        (local.set $Ik (v128.load64_splat (i32.add (local.get $zi) (local.get $kb))))
        (local.set $Rb (v128.load64_splat (i32.add (local.get $zr) (local.get $bb))))
        (local.set $Ib (v128.load64_splat (i32.add (local.get $zi) (local.get $bb))))
        (local.set $ER (f64x2.mul (local.get $H) (f64x2.add (local.get $Rk) (local.get $Rb))))
        (local.set $EI (f64x2.mul (local.get $H) (f64x2.sub (local.get $Ik) (local.get $Ib))))
        (local.set $OR (f64x2.mul (local.get $H) (f64x2.add (local.get $Ik) (local.get $Ib))))
        (local.set $OI (f64x2.mul (local.get $NH) (f64x2.sub (local.get $Rk) (local.get $Rb))))
        (local.set $WR (v128.load64_splat (i32.add (local.get $wr) (local.get $kb))))
        (local.set $WI (v128.load64_splat (i32.add (local.get $wi) (local.get $kb))))
        (v128.store64_lane 0
          (i32.add (local.get $ore) (local.get $kb))
          (f64x2.sub
            (f64x2.add (local.get $ER) (f64x2.mul (local.get $WR) (local.get $OR)))
            (f64x2.mul (local.get $WI) (local.get $OI))))
        (v128.store64_lane 0
          (i32.add (local.get $oim) (local.get $kb))
          (f64x2.add
            (f64x2.add (local.get $EI) (f64x2.mul (local.get $WR) (local.get $OI)))
            (f64x2.mul (local.get $WI) (local.get $OR)))))))

  ;; unfinish(re, im, wr, wi, zr, zi, rev, h): bins k = 1 … h − 1 of `RealFFT.inverse`'s first loop
  ;; (X[k] and conj X[h − k] to the half-size spectrum, stored bit-reversed), two bins side by side;
  ;; the h − 1 bins are paired from k = 1, the last one alone. re/im hold X[0..h].
  (func $unfinish (export "unfinish")
      (param $re i32) (param $im i32) (param $wr i32)
      (param $wi i32) (param $zr i32) (param $zi i32) (param $rev i32) (param $h i32)
      (local $k i32) (local $kb i32) (local $bb i32) (local $r0 i32) (local $r1 i32)
      (local $H v128) (local $A v128) (local $AI v128) (local $B v128) (local $BI v128)
      (local $DR v128) (local $DI v128) (local $OR v128) (local $OI v128) (local $ZR v128)
      (local $ZI v128)
    (local.set $H (v128.const f64x2 0.5 0.5))
    (local.set $k (i32.const 1))
    (block $bins_done
      ;; bins k, k + 1 while k + 1 < h; X[h − k − 1], X[h − k] loaded as one vector and swapped
      (loop $bin_pairs
        (br_if $bins_done (i32.gt_s (i32.add (local.get $k) (i32.const 2)) (local.get $h)))
        (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
        (local.set $bb
          (i32.shl (i32.sub (i32.sub (local.get $h) (local.get $k)) (i32.const 1)) (i32.const 3)))
        (local.set $A (v128.load align=8 (i32.add (local.get $re) (local.get $kb))))
        (local.set $AI (v128.load align=8 (i32.add (local.get $im) (local.get $kb))))
        (local.set $B
          (i8x16.swizzle
            (v128.load align=8 (i32.add (local.get $re) (local.get $bb)))
            (v128.const i8x16 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7)))
        (local.set $BI
          (f64x2.neg
            (i8x16.swizzle
              (v128.load align=8 (i32.add (local.get $im) (local.get $bb)))
              (v128.const i8x16 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7))))
        (local.set $DR (f64x2.mul (local.get $H) (f64x2.sub (local.get $A) (local.get $B))))
        (local.set $DI (f64x2.mul (local.get $H) (f64x2.sub (local.get $AI) (local.get $BI))))
        (local.set $A (f64x2.mul (local.get $H) (f64x2.add (local.get $A) (local.get $B))))
        (local.set $AI (f64x2.mul (local.get $H) (f64x2.add (local.get $AI) (local.get $BI))))
        (local.set $B (v128.load align=8 (i32.add (local.get $wr) (local.get $kb))))
        (local.set $BI (v128.load align=8 (i32.add (local.get $wi) (local.get $kb))))
        (local.set $OR
          (f64x2.add
            (f64x2.mul (local.get $DR) (local.get $B))
            (f64x2.mul (local.get $DI) (local.get $BI))))
        (local.set $OI
          (f64x2.sub
            (f64x2.mul (local.get $DI) (local.get $B))
            (f64x2.mul (local.get $DR) (local.get $BI))))
        (local.set $ZR (f64x2.sub (local.get $A) (local.get $OI)))
        (local.set $ZI (f64x2.add (local.get $AI) (local.get $OR)))
        (local.set $r0
          (i32.shl
            (i32.load (i32.add (local.get $rev) (i32.shl (local.get $k) (i32.const 2))))
            (i32.const 3)))
        (local.set $r1
          (i32.shl
            (i32.load offset=4 (i32.add (local.get $rev) (i32.shl (local.get $k) (i32.const 2))))
            (i32.const 3)))
        (v128.store64_lane 0 (i32.add (local.get $zr) (local.get $r0)) (local.get $ZR))
        (v128.store64_lane 1 (i32.add (local.get $zr) (local.get $r1)) (local.get $ZR))
        (v128.store64_lane 0 (i32.add (local.get $zi) (local.get $r0)) (local.get $ZI))
        (v128.store64_lane 1 (i32.add (local.get $zi) (local.get $r1)) (local.get $ZI))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $bin_pairs)))
    ;; the last bin alone, its values in both lanes
    (if
      (i32.eqz (i32.gt_s (i32.add (local.get $k) (i32.const 1)) (local.get $h)))
      (then
        (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
        (local.set $bb
          (i32.shl (i32.sub (i32.sub (local.get $h) (local.get $k)) (i32.const 0)) (i32.const 3)))
        (local.set $A (v128.load64_splat (i32.add (local.get $re) (local.get $kb))))
        (local.set $AI (v128.load64_splat (i32.add (local.get $im) (local.get $kb))))
        (local.set $B (v128.load64_splat (i32.add (local.get $re) (local.get $bb))))
        (local.set $BI (f64x2.neg (v128.load64_splat (i32.add (local.get $im) (local.get $bb)))))
        (local.set $DR (f64x2.mul (local.get $H) (f64x2.sub (local.get $A) (local.get $B))))
        (local.set $DI (f64x2.mul (local.get $H) (f64x2.sub (local.get $AI) (local.get $BI))))
        (local.set $A (f64x2.mul (local.get $H) (f64x2.add (local.get $A) (local.get $B))))
        (local.set $AI (f64x2.mul (local.get $H) (f64x2.add (local.get $AI) (local.get $BI))))
        (local.set $B (v128.load64_splat (i32.add (local.get $wr) (local.get $kb))))
        (local.set $BI (v128.load64_splat (i32.add (local.get $wi) (local.get $kb))))
        (local.set $OR
          (f64x2.add
            (f64x2.mul (local.get $DR) (local.get $B))
            (f64x2.mul (local.get $DI) (local.get $BI))))
        (local.set $OI
          (f64x2.sub
            (f64x2.mul (local.get $DI) (local.get $B))
            (f64x2.mul (local.get $DR) (local.get $BI))))
        (local.set $ZR (f64x2.sub (local.get $A) (local.get $OI)))
        (local.set $ZI (f64x2.add (local.get $AI) (local.get $OR)))
        (local.set $r0
          (i32.shl
            (i32.load (i32.add (local.get $rev) (i32.shl (local.get $k) (i32.const 2))))
            (i32.const 3)))
        (v128.store64_lane 0 (i32.add (local.get $zr) (local.get $r0)) (local.get $ZR))
        (v128.store64_lane 0 (i32.add (local.get $zi) (local.get $r0)) (local.get $ZI)))))

  ;; ola(zr, zi, win, acc, h, s): acc[2j] += (zr[j]·s)·win[2j], acc[2j + 1] += (zi[j]·s)·win[2j + 1]
  ;; for j < h: `RealFFT.inverse`'s scaling and the inverse STFT's overlap-add, fused.
  (func $ola (export "ola")
      (param $zr i32) (param $zi i32) (param $win i32) (param $acc i32)
      (param $h i32) (param $s f64)
      (local $jb i32) (local $end i32) (local $pa i32)
      (local $S v128) (local $V v128)
    (local.set $S (f64x2.splat (local.get $s)))
    (local.set $end (i32.shl (local.get $h) (i32.const 3)))
    (local.set $jb (i32.const 0))
    ;; V = (zr[j], zi[j]) scaled by s, times win[2j], win[2j + 1], added to acc[2j], acc[2j + 1]
    (loop $samples
      (local.set $V (v128.load64_splat (i32.add (local.get $zr) (local.get $jb))))
      (local.set $V
        (f64x2.mul
          (v128.load64_lane 1 (i32.add (local.get $zi) (local.get $jb)) (local.get $V))
          (local.get $S)))
      (local.set $pa (i32.add (i32.add (local.get $acc) (local.get $jb)) (local.get $jb)))
      (v128.store align=8
        (local.get $pa)
        (f64x2.add
          (v128.load align=8 (local.get $pa))
          (f64x2.mul
            (local.get $V)
            (v128.load align=8 (i32.add (i32.add (local.get $win) (local.get $jb)) (local.get $jb))))))
      (local.set $jb (i32.add (local.get $jb) (i32.const 8)))
      (br_if $samples (i32.lt_u (local.get $jb) (local.get $end))))))
