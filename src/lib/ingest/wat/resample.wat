;; The resampler's filter sums (src/lib/ingest/resample.ts), float32 SIMD. Resampling a movie's
;; 48-kHz audio to 22050 Hz takes 72 multiply-adds per output sample; in plain JavaScript they are
;; the largest cost of the WebCodecs ingest after the browser's decoder.
;;
;; dots(buf, weights, taps8, cycle, up, down, r, base, count, out): for output o < count,
;;   out[o] = Σ_t buf[base + cycle[r].from + t] · weights[cycle[r].row + t]
;; (f32, eight lanes in two accumulators; the weight rows are padded to a multiple of 8 taps with
;; zeros), then r advances and, every `up` outputs, `base` advances by `down` input samples.
;; `cycle` holds, per output phase r < up, two i32: the input offset of its first tap and the byte
;; offset of its weight row. Addresses are bytes in the imported memory.
(module
  (import "m" "memory" (memory 1))
  (func $dots (export "dots")
      (param $buf i32) (param $weights i32) (param $taps8 i32) (param $cycle i32) (param $up i32)
      (param $down i32) (param $r i32) (param $base i32) (param $count i32) (param $out i32)
      (local $o i32) (local $p i32) (local $w i32) (local $k i32) (local $ent i32)
      ;; two accumulators, so that consecutive adds do not wait on each other
      (local $a v128) (local $b v128)
    (local.set $o (i32.const 0))
    (loop $outputs
      ;; ent = cycle + r·8; p = buf + (base + from)·4; w = weights + row
      (local.set $p
        (i32.add
          (i32.mul
            (i32.add
              (i32.load
                (local.tee $ent (i32.add (local.get $cycle) (i32.mul (local.get $r) (i32.const 8)))))
              (local.get $base))
            (i32.const 4))
          (local.get $buf)))
      (local.set $w (i32.add (i32.load offset=4 (local.get $ent)) (local.get $weights)))
      (local.set $k (local.get $taps8))
      (local.set $a (v128.const f32x4 0 0 0 0))
      (local.set $b (v128.const f32x4 0 0 0 0))
      (loop $eight_taps
        (local.set $a
          (f32x4.add
            (local.get $a)
            (f32x4.mul (v128.load align=8 (local.get $p)) (v128.load align=8 (local.get $w)))))
        (local.set $b
          (f32x4.add
            (local.get $b)
            (f32x4.mul
              (v128.load offset=16 align=8 (local.get $p))
              (v128.load offset=16 align=8 (local.get $w)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $w (i32.add (local.get $w) (i32.const 32)))
        (br_if $eight_taps (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
      ;; out[o] = the sum of a + b's lanes, (l0 + l2) + (l1 + l3): the address first, then the value
      (i32.add (local.get $out) (i32.mul (local.get $o) (i32.const 4)))
      (local.set $a (f32x4.add (local.get $a) (local.get $b)))
      (f32.add
        (f32x4.extract_lane 0
          (local.tee $a
            (f32x4.add
              (local.get $a)
              ;; the two 64-bit halves swapped
              (i8x16.swizzle
                (local.get $a)
                (v128.const i8x16 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7)))))
        (f32x4.extract_lane 1 (local.get $a)))
      (f32.store)
      ;; the next phase; after the last one, the next input block
      (if
        (i32.eq (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $up))
        (then
          (local.set $r (i32.const 0))
          (local.set $base (i32.add (local.get $base) (local.get $down)))))
      (br_if $outputs
        (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 1))) (local.get $count))))))
