;; The frame scaler's two passes (src/lib/ingest/scale.ts), float32 SIMD: four lanes per operation
;; where float64 has two. Scaling a 1080p picture to 64×36 is ~12 M multiply-adds in the vertical
;; pass and ~0.6 M in the horizontal one.
;;
;; vpass(src, stride, taps, nTaps, outRows, blocks, out): for each output row o and each 32-byte
;; column block (VPASS_BLOCK in scale-kernel.ts),
;;   out[o][x] = Σ_t w[o·nTaps + t] · src[row[o·nTaps + t]·stride + x], t ascending;
;; `taps` holds (i32 clamped source row, f32 weight) pairs, nTaps per output row; `out` rows are
;; blocks·32 floats. Reads up to 31 bytes past a row's width.
;;
;; hpass(mid, rowBytes, rows, starts, weights, nTaps, outW, out): for each row r < rows and output
;; pixel o, out[r·outW + o] = Σ_k weights[o·nTaps + k] · mid[r·rowBytes + starts[o] + 4k]: a
;; contiguous dot product (`starts` in bytes; the caller folds the taps past an edge onto the edge
;; pixel and pads each output's weights with zeros to nTaps, a multiple of HPASS_STEP = 8). Reads
;; nTaps floats from each start. Addresses are bytes in the imported memory.
(module
  (import "m" "memory" (memory 1))
  (func $vpass (export "vpass")
      (param $src i32) (param $stride i32) (param $taps i32)
      (param $nTaps i32) (param $outRows i32) (param $blocks i32) (param $out i32)
      (local $o i32) (local $x i32) (local $tp i32) (local $tEnd i32) (local $at i32)
      (local $ra i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
      (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128) (local $px v128)
      (local $w v128)
    (local.set $o (i32.const 0))
    (loop $output_rows
      (local.set $x (i32.const 0))
      (loop $column_blocks
        (local.set $a7
          (local.tee $a6
            (local.tee $a5
              (local.tee $a4
                (local.tee $a3
                  (local.tee $a2 (local.tee $a1 (local.tee $a0 (v128.const f32x4 0 0 0 0)))))))))
        ;; tp = taps + o·nTaps·8, tEnd = tp + nTaps·8
        (local.set $tEnd
          (i32.add
            (local.tee $tp
              (i32.add
                (i32.mul (i32.mul (local.get $o) (local.get $nTaps)) (i32.const 8))
                (local.get $taps)))
            (i32.mul (local.get $nTaps) (i32.const 8))))
        (local.set $at (i32.add (local.get $src) (local.get $x)))
        (loop $taps
          ;; w = the tap's weight in four lanes; ra = src + x + row·stride
          (local.set $w (v128.load32_splat offset=4 (local.get $tp)))
          (local.set $ra
            (i32.add (i32.mul (i32.load (local.get $tp)) (local.get $stride)) (local.get $at)))
          ;; Each 16 source bytes become four u32 vectors by an i8x16.swizzle with constant indices
          ;; (an index out of range gives a zero byte): the shuffle unit, leaving the arithmetic
          ;; units, which bound this loop, to the conversions, multiplies and adds (masks and
          ;; shifts cost ~10 % more); then f32 by the signed conversion, one x64 instruction where
          ;; the unsigned one is emulated by several.
          (local.set $px (v128.load align=8 (local.get $ra)))
          (local.set $a0
            (f32x4.add
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i8x16.swizzle
                    (local.get $px)
                    (v128.const i8x16 0 0x80 0x80 0x80 1 0x80 0x80 0x80
                      2 0x80 0x80 0x80 3 0x80 0x80 0x80)))
                (local.get $w))
              (local.get $a0)))
          (local.set $a1
            (f32x4.add
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i8x16.swizzle
                    (local.get $px)
                    (v128.const i8x16 4 0x80 0x80 0x80 5 0x80 0x80 0x80
                      6 0x80 0x80 0x80 7 0x80 0x80 0x80)))
                (local.get $w))
              (local.get $a1)))
          (local.set $a2
            (f32x4.add
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i8x16.swizzle
                    (local.get $px)
                    (v128.const i8x16 8 0x80 0x80 0x80 9 0x80 0x80 0x80
                      10 0x80 0x80 0x80 11 0x80 0x80 0x80)))
                (local.get $w))
              (local.get $a2)))
          (local.set $a3
            (f32x4.add
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i8x16.swizzle
                    (local.get $px)
                    (v128.const i8x16 12 0x80 0x80 0x80 13 0x80 0x80 0x80
                      14 0x80 0x80 0x80 15 0x80 0x80 0x80)))
                (local.get $w))
              (local.get $a3)))
          (local.set $px (v128.load offset=16 align=8 (local.get $ra)))
          (local.set $a4
            (f32x4.add
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i8x16.swizzle
                    (local.get $px)
                    (v128.const i8x16 0 0x80 0x80 0x80 1 0x80 0x80 0x80
                      2 0x80 0x80 0x80 3 0x80 0x80 0x80)))
                (local.get $w))
              (local.get $a4)))
          (local.set $a5
            (f32x4.add
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i8x16.swizzle
                    (local.get $px)
                    (v128.const i8x16 4 0x80 0x80 0x80 5 0x80 0x80 0x80
                      6 0x80 0x80 0x80 7 0x80 0x80 0x80)))
                (local.get $w))
              (local.get $a5)))
          (local.set $a6
            (f32x4.add
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i8x16.swizzle
                    (local.get $px)
                    (v128.const i8x16 8 0x80 0x80 0x80 9 0x80 0x80 0x80
                      10 0x80 0x80 0x80 11 0x80 0x80 0x80)))
                (local.get $w))
              (local.get $a6)))
          (local.set $a7
            (f32x4.add
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i8x16.swizzle
                    (local.get $px)
                    (v128.const i8x16 12 0x80 0x80 0x80 13 0x80 0x80 0x80
                      14 0x80 0x80 0x80 15 0x80 0x80 0x80)))
                (local.get $w))
              (local.get $a7)))
          (br_if $taps
            (i32.lt_u (local.tee $tp (i32.add (local.get $tp) (i32.const 8))) (local.get $tEnd))))
        ;; store the sums at out + (o·blocks·32 + x)·4
        (local.set $at
          (i32.add
            (local.get $out)
            (i32.mul
              (i32.add
                (i32.mul (i32.mul (local.get $o) (local.get $blocks)) (i32.const 32))
                (local.get $x))
              (i32.const 4))))
        (v128.store align=8 (local.get $at) (local.get $a0))
        (v128.store offset=16 align=8 (local.get $at) (local.get $a1))
        (v128.store offset=32 align=8 (local.get $at) (local.get $a2))
        (v128.store offset=48 align=8 (local.get $at) (local.get $a3))
        (v128.store offset=64 align=8 (local.get $at) (local.get $a4))
        (v128.store offset=80 align=8 (local.get $at) (local.get $a5))
        (v128.store offset=96 align=8 (local.get $at) (local.get $a6))
        (v128.store offset=112 align=8 (local.get $at) (local.get $a7))
        (br_if $column_blocks
          (i32.lt_u
            (local.tee $x (i32.add (local.get $x) (i32.const 32)))
            (i32.mul (local.get $blocks) (i32.const 32)))))
      (br_if $output_rows
        (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1))) (local.get $outRows)))))
  (func $hpass (export "hpass")
      (param $mid i32) (param $rowBytes i32) (param $rows i32)
      (param $starts i32) (param $weights i32) (param $nTaps i32) (param $outW i32) (param $out i32)
      (local $r i32) (local $o i32) (local $p i32) (local $wp i32) (local $pEnd i32)
      ;; two accumulators, so that consecutive adds do not wait on each other
      (local $acc v128) (local $acc2 v128)
    (local.set $r (i32.const 0))
    (loop $rows
      (local.set $o (i32.const 0))
      (loop $output_pixels
        (local.set $acc2 (local.tee $acc (v128.const f32x4 0 0 0 0)))
        ;; p = mid + r·rowBytes + starts[o], pEnd = p + nTaps·4, wp = weights + o·nTaps·4
        (local.set $pEnd
          (i32.add
            (local.tee $p
              (i32.add
                (i32.add (local.get $mid) (i32.mul (local.get $r) (local.get $rowBytes)))
                (i32.load (i32.add (local.get $starts) (i32.mul (local.get $o) (i32.const 4))))))
            (i32.mul (local.get $nTaps) (i32.const 4))))
        (local.set $wp
          (i32.add
            (i32.mul (i32.mul (local.get $o) (local.get $nTaps)) (i32.const 4))
            (local.get $weights)))
        (loop $eight_taps
          (local.set $acc
            (f32x4.add
              (f32x4.mul (v128.load align=8 (local.get $p)) (v128.load align=8 (local.get $wp)))
              (local.get $acc)))
          (local.set $acc2
            (f32x4.add
              (f32x4.mul
                (v128.load offset=16 align=8 (local.get $p))
                (v128.load offset=16 align=8 (local.get $wp)))
              (local.get $acc2)))
          (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
          (br_if $eight_taps
            (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 32))) (local.get $pEnd))))
        ;; out[r·outW + o] = the sum of acc + acc2's lanes, (l0 + l2) + (l1 + l3): address, value
        (i32.add
          (local.get $out)
          (i32.mul
            (i32.add (i32.mul (local.get $r) (local.get $outW)) (local.get $o))
            (i32.const 4)))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $acc2)))
        (f32.add
          (f32x4.extract_lane 0
            (local.tee $acc
              (f32x4.add
                (local.get $acc)
                ;; the two 64-bit halves swapped
                (i8x16.swizzle
                  (local.get $acc)
                  (v128.const i8x16 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7)))))
          (f32x4.extract_lane 1 (local.get $acc)))
        (f32.store)
        (br_if $output_pixels
          (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1))) (local.get $outW))))
      (br_if $rows
        (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))))

