// The CPU backend's convolutions with their matrix products on the wasm backend, in the browser:
// `initBackend(['cpu'])` must fetch the served binaries (/vendor/tfjs/), keep `cpu` active, and
// give the same conv3d, input and filter gradients as the JavaScript product.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/lib/compute/backend';
import { useWasmGemm } from '../../../src/lib/compute/kernels';
import { startWasmGemm } from '../../../src/lib/compute/wasm-gemm';

export interface GemmCheck {
  reason: string;
  active: string;
  /** Largest error of y, dx and dw against the JavaScript product, relative to its largest value. */
  error: number;
}

function convAndGrads(x: tf.Tensor5D, w: tf.Tensor5D, dyT: tf.Tensor): Float32Array[] {
  const conv = (xx: tf.Tensor, ww: tf.Tensor) =>
    tf.conv3d(xx as tf.Tensor5D, ww as tf.Tensor5D, [1, 2, 1], 'same');
  const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(conv(xx, ww), dyT)))([
    x,
    w,
  ]);
  return [conv(x, w), dx, dw].map((t) => t.dataSync() as Float32Array);
}

export async function wasmConvMatchesJs(): Promise<GemmCheck> {
  const info = await initBackend(['cpu']);
  const wasm = (await startWasmGemm()).gemm;
  const x = tf.randomUniform([2, 5, 7, 6, 8], -1, 1, 'float32', 1) as tf.Tensor5D;
  const w = tf.randomUniform([3, 3, 3, 8, 2], -1, 1, 'float32', 2) as tf.Tensor5D;
  const dyT = tf.randomUniform([2, 5, 4, 6, 2], -1, 1, 'float32', 3);
  useWasmGemm(null);
  const js = convAndGrads(x, w, dyT);
  useWasmGemm(wasm);
  const fast = convAndGrads(x, w, dyT);
  let error = 0;
  js.forEach((want, k) => {
    let scale = 0;
    let err = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]));
      err = Math.max(err, Math.abs(fast[k][i] - want[i]));
    }
    error = Math.max(error, err / scale);
  });
  return { reason: info.reason, active: tf.getBackend(), error: wasm ? error : NaN };
}
