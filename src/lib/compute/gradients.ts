/**
 * Gradients of Sum and Mean that stay on the device.
 *
 * tfjs 4.22 computes both as dy · ones(x.shape) with `ones` built as a JavaScript array and
 * uploaded: for batch norm's moments at batch 16 of the paper's autoencoder that is ~70–140 MB
 * allocated, filled and copied to the GPU per reduction, eight times per step, which made a step
 * of the layers model 10× slower than its GPU work (H200: 755 ms, 95 ms on the GPU; CPU profile:
 * makeOnesTypedArray and createBuffer). Here the ones are a device-side fill. Registering a
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
