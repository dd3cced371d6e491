/**
 * Gradients of Sum and Mean that stay on the device, and Relu's in one pass where the backend
 * has a fused kernel for it.
 *
 * tfjs 4.22 computes both as dy · ones(x.shape) with `ones` built as a JavaScript array and
 * uploaded: for batch norm's moments at batch 16 that is ~100 MB allocated, filled and copied to
 * the GPU per reduction, several times per step, which made a step many times slower than its GPU
 * work. Here the ones are a device-side fill. Registering a
 * gradient replaces tfjs's for every backend; importing this module does it once.
 */
import * as tf from '@tensorflow/tfjs';

function reductionGradient(kernelName: string, mean: boolean): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return {
        x: () => tf.mul(tf.reshape(dy as tf.Tensor, kept), tf.fill(x.shape, mean ? 1 / count : 1)),
      };
    },
  };
}

tf.registerGradient(reductionGradient('Sum', false));
tf.registerGradient(reductionGradient('Mean', true));

/**
 * A backend's fused Relu gradient, `dy · step(x)` in one pass (kernels/cpu-elementwise.ts for
 * `cpu`, where tfjs's Step then Multiply cost two full-size passes and allocations per layer).
 */
export const RELU_GRAD = 'CinebreathReluGrad';

tf.registerGradient({
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const d = dy as tf.Tensor;
    return {
      x: () =>
        x.dtype === 'float32' && d.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend())
          ? (tf.engine().runKernel(RELU_GRAD, { dy: d, x }) as tf.Tensor)
          : tf.mul(d, tf.cast(tf.step(x), 'float32')),
    };
  },
});
