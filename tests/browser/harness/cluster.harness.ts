// The notebook's side of the cluster round trip: the demo's dataset export, and model files
// imported through the Share section's entry point (importDropped), then run on the page's
// backend.
import * as tf from '@tensorflow/tfjs';
import { loadDemoProject } from '../../../src/lib/demo/demo-project';
import { exportDataset } from '../../../src/lib/interop/dataset-export';
import { importDropped } from '../../../src/lib/interop/share';

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** A fresh demo project (synthesised movies) and its dataset .tar with frames, base64. */
export async function exportDemoDataset(): Promise<{
  projectId: string;
  name: string;
  tar: string;
}> {
  const project = await loadDemoProject(undefined, { withVideo: false });
  const file = await exportDataset(project.id, { frames: true });
  return { projectId: project.id, name: file.name, tar: await base64Of(file.blob) };
}

async function imported(projectId: string, files: { name: string; base64: string }[]) {
  const result = await importDropped(
    files.map((f) => new File([bytesOf(f.base64)], f.name)),
    projectId,
  );
  if (result.kind !== 'model') throw new Error('expected a model');
  const { model, checkpoint } = result.model;
  const built = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: model.topology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: checkpoint.weightSpecs,
      weightData: checkpoint.weights,
    }),
  );
  return { built, kind: model.kind, meta: model.meta };
}

/**
 * Imports an autoencoder's files and heads' files; runs the autoencoder on uint8 sequences and
 * each head on its encoder's flattened output. Outputs in that order.
 */
export async function importAndPredict(
  projectId: string,
  autoencoder: { name: string; base64: string }[],
  heads: { name: string; base64: string }[][],
  frames: string,
  shape: number[],
): Promise<{ backend: string; kinds: string[]; channelOrder: unknown; outputs: number[][] }> {
  const ae = await imported(projectId, autoencoder);
  const x = tf.div(tf.tensor(bytesOf(frames), shape, 'int32'), 255);
  const outputs = [Array.from(await (ae.built.predict(x) as tf.Tensor).data())];
  const kinds = [ae.kind];
  // The encoder: every layer through the second max pooling.
  const pools = ae.built.layers.flatMap((l, i) => (l.getClassName() === 'MaxPooling3D' ? [i] : []));
  const encoder = tf.sequential({ layers: ae.built.layers.slice(0, pools[1] + 1) });
  const codes = tf.reshape(encoder.predict(x) as tf.Tensor, [shape[0], -1]);
  for (const files of heads) {
    const head = await imported(projectId, files);
    kinds.push(head.kind);
    outputs.push(Array.from(await (head.built.predict(codes) as tf.Tensor).data()));
    head.built.dispose();
  }
  ae.built.dispose();
  return { backend: tf.getBackend(), kinds, channelOrder: ae.meta.channelOrder, outputs };
}
