;; The complex FFT's radix-4 passes (`FFT.butterflies` in features/fft.ts), f64x2 SIMD.
;; Every kernel does the operations of its TypeScript twin in the same order (IEEE f64, lane by
;; lane, no fused multiply-add), so the results are the same numbers, signed zeros included
;; (tests/unit/audio-wasm.test.ts). Addresses are bytes in the imported memory (features/wasm.ts).
(module
  (import "m" "memory" (memory 1))

  ;; fft(re, im, n, twr, twi, q, s): the radix-4 passes of `FFT.butterflies` from stage size q
  ;; (1, 2 or 4) on, s = +1 forward / −1 inverse; re/im hold the n values, twr/twi the twiddle
  ;; table. The q = 1 pass (twiddle-free) is scalar; the others take twiddle indices k, k + 1 side by
  ;; side in f64x2 lanes, for k = 0 with the table's (1, −0), which gives the same values as skipping
  ;; the products.
  (func $fft (export "fft")
      (param $re i32) (param $im i32) (param $n i32) (param $twr i32)
      (param $twi i32) (param $q i32) (param $s f64)
      ;; byte sizes and offsets: nb = 8n, qb = 8q, q2b = 16q, sizeb = 32q, kb = 8k;
      ;; di = im − re, so that p + di is the imaginary part of the value at p
      (local $nb i32) (local $qb i32) (local $q2b i32) (local $sizeb i32) (local $kb i32)
      (local $di i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $pd i32)
      (local $end i32)
      ;; the q = 1 pass's values (scalar), named as in TypeScript; ns = −s
      (local $ns f64) (local $a1r f64) (local $a1i f64) (local $b1r f64) (local $b1i f64)
      (local $c1r f64) (local $c1i f64) (local $d1r f64) (local $d1i f64) (local $ydr f64)
      (local $ydi f64)
      ;; S, NS = ±s in both lanes; w1, w2: the twiddles of k and 2k (times s); the rest name
      ;; the values of two butterflies side by side, as in TypeScript
      (local $S v128) (local $NS v128) (local $w1r v128) (local $w1i v128) (local $w2r v128)
      (local $w2i v128) (local $Rb v128) (local $Ib v128) (local $Rd v128) (local $Id v128)
      (local $xbr v128) (local $xbi v128) (local $xdr v128) (local $xdi v128) (local $A1r v128)
      (local $A1i v128) (local $B1r v128) (local $B1i v128) (local $C1r v128) (local $C1i v128)
      (local $D1r v128) (local $D1i v128) (local $ycr v128) (local $yci v128) (local $Ydr v128)
      (local $Ydi v128) (local $Ra v128) (local $Ia v128) (local $Rc v128) (local $Ic v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $di (i32.sub (local.get $im) (local.get $re)))
    (local.set $ns (f64.neg (local.get $s)))
    (local.set $S (f64x2.splat (local.get $s)))
    (local.set $NS (f64x2.splat (local.get $ns)))
    (local.set $end (i32.add (local.get $re) (local.get $nb)))
    ;; q = 1: values a, a+1, a+2, a+3 with no twiddles (scalar)
    (if
      (i32.eqz (i32.ne (local.get $q) (i32.const 1)))
      (then
        (local.set $pa (local.get $re))
        (loop $quads
          (local.set $pb (i32.add (local.get $pa) (i32.const 8)))
          (local.set $pc (i32.add (local.get $pa) (i32.const 16)))
          (local.set $pd (i32.add (local.get $pa) (i32.const 24)))
          (local.set $a1r (f64.add (f64.load (local.get $pa)) (f64.load (local.get $pb))))
          (local.set $a1i
            (f64.add
              (f64.load (i32.add (local.get $pa) (local.get $di)))
              (f64.load (i32.add (local.get $pb) (local.get $di)))))
          (local.set $b1r (f64.sub (f64.load (local.get $pa)) (f64.load (local.get $pb))))
          (local.set $b1i
            (f64.sub
              (f64.load (i32.add (local.get $pa) (local.get $di)))
              (f64.load (i32.add (local.get $pb) (local.get $di)))))
          (local.set $c1r (f64.add (f64.load (local.get $pc)) (f64.load (local.get $pd))))
          (local.set $c1i
            (f64.add
              (f64.load (i32.add (local.get $pc) (local.get $di)))
              (f64.load (i32.add (local.get $pd) (local.get $di)))))
          (local.set $d1r (f64.sub (f64.load (local.get $pc)) (f64.load (local.get $pd))))
          (local.set $d1i
            (f64.sub
              (f64.load (i32.add (local.get $pc) (local.get $di)))
              (f64.load (i32.add (local.get $pd) (local.get $di)))))
          ;; yd = (s·d1i, −s·d1r): d1 times ∓i
          (local.set $ydr (f64.mul (local.get $s) (local.get $d1i)))
          (local.set $ydi (f64.mul (local.get $ns) (local.get $d1r)))
          (f64.store (local.get $pa) (f64.add (local.get $a1r) (local.get $c1r)))
          (f64.store
            (i32.add (local.get $pa) (local.get $di))
            (f64.add (local.get $a1i) (local.get $c1i)))
          (f64.store (local.get $pc) (f64.sub (local.get $a1r) (local.get $c1r)))
          (f64.store
            (i32.add (local.get $pc) (local.get $di))
            (f64.sub (local.get $a1i) (local.get $c1i)))
          (f64.store (local.get $pb) (f64.add (local.get $b1r) (local.get $ydr)))
          (f64.store
            (i32.add (local.get $pb) (local.get $di))
            (f64.add (local.get $b1i) (local.get $ydi)))
          (f64.store (local.get $pd) (f64.sub (local.get $b1r) (local.get $ydr)))
          (f64.store
            (i32.add (local.get $pd) (local.get $di))
            (f64.sub (local.get $b1i) (local.get $ydi)))
          (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
          (br_if $quads (i32.lt_u (local.get $pa) (local.get $end))))
        ;; the first pass was the q = 1 stage; the twiddled ones go on from q = 4
        (local.set $q (i32.const 4))))
    ;; for (; q < n; q <<= 2)
    (block $stages_done
      (br_if $stages_done (i32.eqz (i32.lt_u (local.get $q) (local.get $n))))
      (loop $stages
        (local.set $qb (i32.shl (local.get $q) (i32.const 3)))
        (local.set $q2b (i32.shl (local.get $qb) (i32.const 1)))
        (local.set $sizeb (i32.shl (local.get $qb) (i32.const 2)))
        (local.set $kb (i32.const 0))
        ;; for (kb = 0; kb < qb; kb += 16): the twiddles of k and k + 1
        (loop $twiddle_pairs
          (local.set $w1r
            (v128.load align=8 (i32.add (i32.add (local.get $twr) (local.get $qb)) (local.get $kb))))
          (local.set $w1i
            (f64x2.mul
              (local.get $S)
              (v128.load align=8
                (i32.add (i32.add (local.get $twi) (local.get $qb)) (local.get $kb)))))
          (local.set $w2r
            (v128.load align=8
              (i32.add (i32.add (local.get $twr) (local.get $q2b)) (local.get $kb))))
          (local.set $w2i
            (f64x2.mul
              (local.get $S)
              (v128.load align=8
                (i32.add (i32.add (local.get $twi) (local.get $q2b)) (local.get $kb)))))
          (local.set $pa (i32.add (local.get $re) (local.get $kb)))
          ;; each group of four quarter-length runs at k, k + 1
          (loop $groups
            (local.set $pb (i32.add (local.get $pa) (local.get $qb)))
            (local.set $pc (i32.add (local.get $pb) (local.get $qb)))
            (local.set $pd (i32.add (local.get $pc) (local.get $qb)))
            (local.set $Rb (v128.load align=8 (local.get $pb)))
            (local.set $Ib (v128.load align=8 (i32.add (local.get $pb) (local.get $di))))
            (local.set $Rd (v128.load align=8 (local.get $pd)))
            (local.set $Id (v128.load align=8 (i32.add (local.get $pd) (local.get $di))))
            ;; xb = b·w1, xd = d·w1 (complex products: xr·wr − xi·wi, xr·wi + xi·wr)
            (local.set $xbr
              (f64x2.sub
                (f64x2.mul (local.get $Rb) (local.get $w1r))
                (f64x2.mul (local.get $Ib) (local.get $w1i))))
            (local.set $xbi
              (f64x2.add
                (f64x2.mul (local.get $Rb) (local.get $w1i))
                (f64x2.mul (local.get $Ib) (local.get $w1r))))
            (local.set $xdr
              (f64x2.sub
                (f64x2.mul (local.get $Rd) (local.get $w1r))
                (f64x2.mul (local.get $Id) (local.get $w1i))))
            (local.set $xdi
              (f64x2.add
                (f64x2.mul (local.get $Rd) (local.get $w1i))
                (f64x2.mul (local.get $Id) (local.get $w1r))))
            (local.set $Ra (v128.load align=8 (local.get $pa)))
            (local.set $Ia (v128.load align=8 (i32.add (local.get $pa) (local.get $di))))
            (local.set $Rc (v128.load align=8 (local.get $pc)))
            (local.set $Ic (v128.load align=8 (i32.add (local.get $pc) (local.get $di))))
            (local.set $A1r (f64x2.add (local.get $Ra) (local.get $xbr)))
            (local.set $A1i (f64x2.add (local.get $Ia) (local.get $xbi)))
            (local.set $B1r (f64x2.sub (local.get $Ra) (local.get $xbr)))
            (local.set $B1i (f64x2.sub (local.get $Ia) (local.get $xbi)))
            (local.set $C1r (f64x2.add (local.get $Rc) (local.get $xdr)))
            (local.set $C1i (f64x2.add (local.get $Ic) (local.get $xdi)))
            (local.set $D1r (f64x2.sub (local.get $Rc) (local.get $xdr)))
            (local.set $D1i (f64x2.sub (local.get $Ic) (local.get $xdi)))
            ;; yc = C1·w2; then t1 = D1·w2 (into xd) and Yd = (s·t1i, −s·t1r)
            (local.set $ycr
              (f64x2.sub
                (f64x2.mul (local.get $C1r) (local.get $w2r))
                (f64x2.mul (local.get $C1i) (local.get $w2i))))
            (local.set $yci
              (f64x2.add
                (f64x2.mul (local.get $C1r) (local.get $w2i))
                (f64x2.mul (local.get $C1i) (local.get $w2r))))
            (local.set $xdr
              (f64x2.sub
                (f64x2.mul (local.get $D1r) (local.get $w2r))
                (f64x2.mul (local.get $D1i) (local.get $w2i))))
            (local.set $xdi
              (f64x2.add
                (f64x2.mul (local.get $D1r) (local.get $w2i))
                (f64x2.mul (local.get $D1i) (local.get $w2r))))
            (local.set $Ydr (f64x2.mul (local.get $S) (local.get $xdi)))
            (local.set $Ydi (f64x2.mul (local.get $NS) (local.get $xdr)))
            (v128.store align=8 (local.get $pa) (f64x2.add (local.get $A1r) (local.get $ycr)))
            (v128.store align=8
              (i32.add (local.get $pa) (local.get $di))
              (f64x2.add (local.get $A1i) (local.get $yci)))
            (v128.store align=8 (local.get $pc) (f64x2.sub (local.get $A1r) (local.get $ycr)))
            (v128.store align=8
              (i32.add (local.get $pc) (local.get $di))
              (f64x2.sub (local.get $A1i) (local.get $yci)))
            (v128.store align=8 (local.get $pb) (f64x2.add (local.get $B1r) (local.get $Ydr)))
            (v128.store align=8
              (i32.add (local.get $pb) (local.get $di))
              (f64x2.add (local.get $B1i) (local.get $Ydi)))
            (v128.store align=8 (local.get $pd) (f64x2.sub (local.get $B1r) (local.get $Ydr)))
            (v128.store align=8
              (i32.add (local.get $pd) (local.get $di))
              (f64x2.sub (local.get $B1i) (local.get $Ydi)))
            (local.set $pa (i32.add (local.get $pa) (local.get $sizeb)))
            (br_if $groups (i32.lt_u (local.get $pa) (local.get $end))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br_if $twiddle_pairs (i32.lt_u (local.get $kb) (local.get $qb))))
        (local.set $q (i32.shl (local.get $q) (i32.const 2)))
        (br_if $stages (i32.lt_u (local.get $q) (local.get $n)))))))
