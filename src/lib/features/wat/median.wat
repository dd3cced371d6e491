;; The HPSS running median's window update (`runningMedian` in features/hpss.ts), two ways: by
;; branch-free bisection as in TypeScript, and for the 31-value window of the harmonic filter by
;; counting ranks with SIMD compares instead.
;; Every kernel does the operations of its TypeScript twin in the same order (IEEE f64, lane by
;; lane, no fused multiply-add), so the results are the same numbers, signed zeros included
;; (tests/unit/audio-wasm.test.ts). Addresses are bytes in the imported memory (features/wasm.ts).
(module
  (import "m" "memory" (memory 1))

  ;; median(line, n, size, out, win, top, ostride): steps i = 1 … n − 1 of `runningMedian` (the
  ;; caller has sorted the first window into win and written out[0]); win holds 2·top − 1 values, +∞
  ;; past `size`; outputs are `ostride` bytes apart. The bisections are branch-free as in TypeScript,
  ;; the shifts move two values at a time.
  (func $median (export "median")
      (param $line i32) (param $n i32) (param $size i32)
      (param $out i32) (param $win i32) (param $top i32) (param $ostride i32)
      (local $i i32) (local $half i32) (local $p i32) (local $q i32) (local $step i32)
      (local $j i32) (local $pi i32) (local $pe i32) (local $po i32)
      (local $vo f64) (local $vi f64)
      (local $VO v128) (local $VI v128) (local $CP v128) (local $CQ v128) (local $W v128)
    (if (i32.lt_u (local.get $n) (i32.const 2)) (then (return)))
    ;; half: the address of the window's middle value; pi: line[i − 1] (the value leaving);
    ;; pe: line[i + size − 1] (the value entering); po: out[i]
    (local.set $half
      (i32.add (i32.shl (i32.shr_u (local.get $size) (i32.const 1)) (i32.const 3)) (local.get $win)))
    (local.set $pi (local.get $line))
    (local.set $pe (i32.add (local.get $line) (i32.shl (local.get $size) (i32.const 3))))
    (local.set $po (i32.add (local.get $out) (local.get $ostride)))
    (local.set $i (i32.const 1))
    (loop $columns
      (local.set $vo (f64.load (local.get $pi)))
      (local.set $vi (f64.load (local.get $pe)))
      (if
        (f64.ne (local.get $vo) (local.get $vi))
        (then
          (local.set $p (i32.const 0))
          (local.set $q (i32.const 0))
          (local.set $step (local.get $top))
          ;; p, q: the sorted window's index of vo and of vi by bisection,
          ;; p += win[p + step − 1] < vo ? step : 0 (and q for vi), step halving
          (loop $rank
            (local.set $p
              (select
                (i32.add (local.get $p) (local.get $step))
                (local.get $p)
                (f64.lt
                  (f64.load
                    (i32.add
                      (i32.shl
                        (i32.sub (i32.add (local.get $p) (local.get $step)) (i32.const 1))
                        (i32.const 3))
                      (local.get $win)))
                  (local.get $vo))))
            (local.set $q
              (select
                (i32.add (local.get $q) (local.get $step))
                (local.get $q)
                (f64.lt
                  (f64.load
                    (i32.add
                      (i32.shl
                        (i32.sub (i32.add (local.get $q) (local.get $step)) (i32.const 1))
                        (i32.const 3))
                      (local.get $win)))
                  (local.get $vi))))
            (local.set $step (i32.shr_u (local.get $step) (i32.const 1)))
            (br_if $rank (local.get $step)))
          (if
            (i32.gt_s (local.get $q) (local.get $p))
            (then
              (local.set $q (i32.sub (local.get $q) (i32.const 1)))
              (local.set $j (local.get $p))
              ;; q > p: q−−; win[j] = win[j + 1] for j = p … q − 1, two at a time while j + 1 < q
              (block $shift_down_done
                (loop $shift_down
                  (br_if $shift_down_done
                    (i32.eqz (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $q))))
                  (v128.store align=8
                    (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                    (v128.load align=8
                      (i32.add
                        (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                        (i32.const 8))))
                  (local.set $j (i32.add (local.get $j) (i32.const 2)))
                  (br $shift_down)))
              (if
                (i32.lt_s (local.get $j) (local.get $q))
                (then
                  (f64.store
                    (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                    (f64.load
                      (i32.add
                        (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                        (i32.const 8)))))))
            (else
              (local.set $j (local.get $p))
              ;; q ≤ p: win[j] = win[j − 1] for j = p … q + 1, two at a time while j − 1 > q
              (block $shift_up_done
                (loop $shift_up
                  (br_if $shift_up_done
                    (i32.eqz (i32.gt_s (i32.sub (local.get $j) (i32.const 1)) (local.get $q))))
                  (v128.store align=8
                    (i32.sub
                      (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                      (i32.const 8))
                    (v128.load align=8
                      (i32.sub
                        (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                        (i32.const 16))))
                  (local.set $j (i32.sub (local.get $j) (i32.const 2)))
                  (br $shift_up)))
              (if
                (i32.gt_s (local.get $j) (local.get $q))
                (then
                  (f64.store
                    (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                    (f64.load
                      (i32.sub
                        (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                        (i32.const 8))))))))
          (f64.store
            (i32.add (local.get $win) (i32.shl (local.get $q) (i32.const 3)))
            (local.get $vi))))
      (f64.store (local.get $po) (f64.load (local.get $half)))
      (local.set $pi (i32.add (local.get $pi) (i32.const 8)))
      (local.set $pe (i32.add (local.get $pe) (i32.const 8)))
      (local.set $po (i32.add (local.get $po) (local.get $ostride)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $columns (i32.lt_u (local.get $i) (local.get $n)))))

  ;; median31: `median` for a 31-value window with a +∞ 32nd slot, p and q by counting instead of
  ;; bisection: p = #{win < vo}, q = #{win < vi}, the same indices the bisections find in a sorted
  ;; window, sixteen f64x2 comparisons each and no dependent loads. A true comparison is all ones
  ;; (−1), so subtracting it counts.
  (func $median31 (export "median31")
      (param $line i32) (param $n i32) (param $size i32)
      (param $out i32) (param $win i32) (param $top i32) (param $ostride i32)
      (local $i i32) (local $half i32) (local $p i32) (local $q i32) (local $step i32)
      (local $j i32) (local $pi i32) (local $pe i32) (local $po i32)
      (local $vo f64) (local $vi f64)
      (local $VO v128) (local $VI v128) (local $CP v128) (local $CQ v128) (local $W v128)
    (if (i32.lt_u (local.get $n) (i32.const 2)) (then (return)))
    (local.set $half
      (i32.add (i32.shl (i32.shr_u (local.get $size) (i32.const 1)) (i32.const 3)) (local.get $win)))
    (local.set $pi (local.get $line))
    (local.set $pe (i32.add (local.get $line) (i32.shl (local.get $size) (i32.const 3))))
    (local.set $po (i32.add (local.get $out) (local.get $ostride)))
    (local.set $i (i32.const 1))
    (loop $columns
      (local.set $vo (f64.load (local.get $pi)))
      (local.set $vi (f64.load (local.get $pe)))
      (if
        (f64.ne (local.get $vo) (local.get $vi))
        (then
          ;; CP, CQ: the two lanes' counts of window values below vo and below vi
          (local.set $VO (f64x2.splat (local.get $vo)))
          (local.set $VI (f64x2.splat (local.get $vi)))
          (local.set $CP (v128.const f64x2 0 0))
          (local.set $CQ (v128.const f64x2 0 0))
          (local.set $W (v128.load align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=16 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=32 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=48 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=64 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=80 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=96 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=112 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=128 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=144 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=160 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=176 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=192 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=208 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=224 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          (local.set $W (v128.load offset=240 align=8 (local.get $win)))
          (local.set $CP (i64x2.sub (local.get $CP) (f64x2.lt (local.get $W) (local.get $VO))))
          (local.set $CQ (i64x2.sub (local.get $CQ) (f64x2.lt (local.get $W) (local.get $VI))))
          ;; p, q: the sums of the two lanes' counts
          (local.set $p
            (i32.wrap_i64
              (i64.add
                (i64x2.extract_lane 0 (local.get $CP))
                (i64x2.extract_lane 1 (local.get $CP)))))
          (local.set $q
            (i32.wrap_i64
              (i64.add
                (i64x2.extract_lane 0 (local.get $CQ))
                (i64x2.extract_lane 1 (local.get $CQ)))))
          (if
            (i32.gt_s (local.get $q) (local.get $p))
            (then
              (local.set $q (i32.sub (local.get $q) (i32.const 1)))
              (local.set $j (local.get $p))
              ;; q > p: q−−; win[j] = win[j + 1] for j = p … q − 1, two at a time while j + 1 < q
              (block $shift_down_done
                (loop $shift_down
                  (br_if $shift_down_done
                    (i32.eqz (i32.lt_s (i32.add (local.get $j) (i32.const 1)) (local.get $q))))
                  (v128.store align=8
                    (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                    (v128.load align=8
                      (i32.add
                        (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                        (i32.const 8))))
                  (local.set $j (i32.add (local.get $j) (i32.const 2)))
                  (br $shift_down)))
              (if
                (i32.lt_s (local.get $j) (local.get $q))
                (then
                  (f64.store
                    (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                    (f64.load
                      (i32.add
                        (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                        (i32.const 8)))))))
            (else
              (local.set $j (local.get $p))
              ;; q ≤ p: win[j] = win[j − 1] for j = p … q + 1, two at a time while j − 1 > q
              (block $shift_up_done
                (loop $shift_up
                  (br_if $shift_up_done
                    (i32.eqz (i32.gt_s (i32.sub (local.get $j) (i32.const 1)) (local.get $q))))
                  (v128.store align=8
                    (i32.sub
                      (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                      (i32.const 8))
                    (v128.load align=8
                      (i32.sub
                        (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                        (i32.const 16))))
                  (local.set $j (i32.sub (local.get $j) (i32.const 2)))
                  (br $shift_up)))
              (if
                (i32.gt_s (local.get $j) (local.get $q))
                (then
                  (f64.store
                    (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                    (f64.load
                      (i32.sub
                        (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))
                        (i32.const 8))))))))
          (f64.store
            (i32.add (local.get $win) (i32.shl (local.get $q) (i32.const 3)))
            (local.get $vi))))
      (f64.store (local.get $po) (f64.load (local.get $half)))
      (local.set $pi (i32.add (local.get $pi) (i32.const 8)))
      (local.set $pe (i32.add (local.get $pe) (i32.const 8)))
      (local.set $po (i32.add (local.get $po) (local.get $ostride)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $columns (i32.lt_u (local.get $i) (local.get $n))))))
