// Exposes the Keras .h5 import to browser tests: the worker + WORKERFS path, then inference on the
// page's backend (WebGPU in the test browser).
import * as tf from '@tensorflow/tfjs';
import { readKerasH5File } from '../../../src/lib/interop/keras-h5-client';
import { buildKerasModel } from '../../../src/lib/interop/keras-model';

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** Imports a base64 .h5 and runs it on `x` (row-major, `shape`). */
export async function predictKeras(
  h5Base64: string,
  name: string,
  x: number[],
  shape: number[],
): Promise<{ backend: string; output: number[] }> {
  const content = await readKerasH5File(new File([bytesOf(h5Base64)], name));
  const model = await buildKerasModel(content);
  const y = model.predict(tf.tensor(x, shape)) as tf.Tensor;
  const output = Array.from(await y.data());
  y.dispose();
  model.dispose();
  return { backend: tf.getBackend(), output };
}

/** The message a file refused by the worker path gives. */
export async function refusal(base64: string, name: string): Promise<string> {
  try {
    await readKerasH5File(new File([bytesOf(base64)], name));
    return 'accepted';
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}
