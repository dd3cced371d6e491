/**
 * The "inside the network" worker: loads a stored model (or builds the untrained encoder), runs
 * one sequence through it in one pass, keeps the volume layers' outputs and paints heatmap grids.
 * Owned by InsideClient; protocol in inside-protocol.ts.
 */
import * as tf from '@tensorflow/tfjs';
import '../models/layers';
import { initBackend } from '../compute/backend';
import { getEncoding } from '../store/encodings';
import { encodingCacheKey } from '../store/runs';
import type { EncoderRef } from '../training/protocol';
import { getMovie, getSequence } from '../store/movies';
import { CHANNELS } from '../shapes';
import type { ChannelOrder } from '../store/schema';
import {
  activationModel,
  layerOutputs,
  readActivations,
  sequenceInput,
  volumeLayers,
} from './activations';
import { untrainedEncoder } from '../models/untrained-encoder';
import { deadFilters, layerRange, renderGrid, type LayerActivation } from './heatmap';
import { loadStoredModel } from '../models/stored-model';
import { reconstructionError, reorderChannels } from './frames';
import { previewAugmentations } from '../training/augment';
import type {
  ActivationsResult,
  GridResult,
  InsideMessage,
  InsideReply,
  InsideRequest,
  InsideResults,
  ModelSource,
  GasPredictionsResult,
  ReconstructionResult,
  SequenceRef,
} from './inside-protocol';

const backend = initBackend();
let activations = new Map<string, LayerActivation>();

async function loadSequence(ref: SequenceRef) {
  const [movie, sequence] = await Promise.all([
    getMovie(ref.movieId),
    getSequence(ref.movieId, ref.index),
  ]);
  if (!movie || !sequence)
    throw new Error(`Sequence ${ref.index + 1} of that movie is not stored.`);
  const { width, height, channelOrder } = movie.settings;
  return { frames: new Uint8Array(sequence.frames), resolution: { width, height }, channelOrder };
}

async function modelFor(source: ModelSource) {
  if (source.kind === 'untrained') {
    return {
      model: untrainedEncoder(source),
      channelOrder: null as ChannelOrder | null,
      untrained: true,
    };
  }
  const stored = await loadStoredModel(source.modelId, source.epoch);
  return { model: stored.model, channelOrder: stored.channelOrder, untrained: false };
}

/** The input as the model expects it: its channel order where known, else the movie's own. */
function modelInput(
  frames: Uint8Array,
  order: ChannelOrder,
  modelOrder: ChannelOrder | null,
  resolution: { width: number; height: number },
) {
  return sequenceInput(reorderChannels(frames, order, modelOrder ?? order), resolution);
}

async function computeActivations(
  source: ModelSource,
  ref: SequenceRef,
): Promise<ActivationsResult> {
  const info = await backend;
  const seq = await loadSequence(ref);
  const { model, channelOrder, untrained } = await modelFor(source);
  try {
    const layers = volumeLayers(model);
    if (!layers.length) throw new Error(`“${model.name}” has no 3D layers to show.`);
    const names = layers.map((l) => l.name);
    const input = modelInput(seq.frames, seq.channelOrder, channelOrder, seq.resolution);
    const composite = activationModel(model, names);
    const outputs = layerOutputs(composite, names, input);
    input.dispose();
    const acts = await readActivations(outputs);
    activations = new Map(acts.map((a) => [a.name, a]));
    return {
      modelName: model.name,
      untrained,
      backend: info.name,
      layers: layers.map((l) => {
        const act = activations.get(l.name)!;
        return { ...l, range: layerRange(act.values), dead: deadFilters(act) };
      }),
    };
  } finally {
    model.dispose();
  }
}

function grid(layer: string, frames: number[] | null): GridResult {
  const act = activations.get(layer);
  if (!act)
    throw new Error(`No activations for layer ${layer}: run the model on a sequence first.`);
  const g = renderGrid(act, { ...(frames ? { frames } : {}), background: [255, 255, 255, 255] });
  return { layer, layerFrames: act.shape[0], ...g };
}

async function reconstruct(
  modelId: string,
  epoch: number,
  ref: SequenceRef,
): Promise<ReconstructionResult> {
  await backend;
  const seq = await loadSequence(ref);
  const stored = await loadStoredModel(modelId, epoch);
  try {
    const modelOrder = stored.channelOrder ?? seq.channelOrder;
    const input = modelInput(seq.frames, seq.channelOrder, modelOrder, seq.resolution);
    const output = stored.model.predict(input) as tf.Tensor;
    input.dispose();
    if (output.size !== seq.frames.length || output.shape.at(-1) !== CHANNELS) {
      output.dispose();
      throw new Error(`“${stored.record.name}” does not output a sequence of the input's shape.`);
    }
    const values = new Float32Array(await output.data());
    output.dispose();
    const asModel = reorderChannels(seq.frames, seq.channelOrder, modelOrder);
    return {
      epoch,
      rgb: reorderChannels(values, modelOrder, 'rgb'),
      error: reconstructionError(asModel, values),
    };
  } finally {
    stored.model.dispose();
  }
}

/** Sequences per forward pass of a head: bounds the input batch (64,512 floats per sequence). */
const HEAD_BATCH = 32;

async function gasPredictions(
  modelId: string,
  epoch: number,
  movieId: string,
  indices: number[],
): Promise<GasPredictionsResult> {
  await backend;
  const stored = await loadStoredModel(modelId, epoch);
  try {
    const meta = stored.record.meta as {
      encoder?: EncoderRef;
      names?: string[];
      inputDim?: number;
    };
    if (stored.record.kind !== 'gases' || !meta.encoder || !meta.inputDim) {
      throw new Error(`“${stored.record.name}” is not a gas head trained in this notebook.`);
    }
    const key = encodingCacheKey(meta.encoder, movieId);
    const width = meta.inputDim;
    const parts: Float32Array[] = [];
    for (let i = 0; i < indices.length; i += HEAD_BATCH) {
      const chunk = indices.slice(i, i + HEAD_BATCH);
      const x = new Float32Array(chunk.length * width);
      for (const [j, index] of chunk.entries()) {
        const rec = await getEncoding(key, index);
        if (!rec) {
          throw new Error(
            `Sequence ${index + 1} has no encoding from this head's encoder: train the head with this movie first.`,
          );
        }
        x.set(new Float32Array(rec.values), j * width);
      }
      const out = tf.tidy(() => stored.model.predict(tf.tensor2d(x, [chunk.length, width])));
      parts.push(new Float32Array(await (out as tf.Tensor).data()));
      tf.dispose(out);
    }
    const values = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      values.set(p, at);
      at += p.length;
    }
    return { outputs: meta.names ?? [], values };
  } finally {
    stored.model.dispose();
  }
}

async function handle(
  request: InsideRequest,
): Promise<{ result: InsideResults[InsideRequest['type']]; transfer: Transferable[] }> {
  switch (request.type) {
    case 'activations':
      return { result: await computeActivations(request.source, request.sequence), transfer: [] };
    case 'grid': {
      const result = grid(request.layer, request.frames);
      return { result, transfer: [result.pixels.buffer] };
    }
    case 'reconstruct': {
      const result = await reconstruct(request.modelId, request.epoch, request.sequence);
      return { result, transfer: [result.rgb.buffer] };
    }
    case 'augment-preview': {
      await backend;
      const { frames, resolution, channelOrder } = await loadSequence(request.sequence);
      const result = await previewAugmentations(frames, resolution, request.options, request.seed, {
        variants: request.variants,
        frame: request.frame,
        channelOrder,
      });
      return { result, transfer: result.map((f) => f.rgba.buffer as ArrayBuffer) };
    }
    case 'gasPredictions': {
      const { modelId, epoch, movieId, indices } = request;
      const result = await gasPredictions(modelId, epoch, movieId, indices);
      return { result, transfer: [result.values.buffer] };
    }
  }
}

// Requests are answered one at a time, in order: each may replace the cached activations.
let queue = Promise.resolve();
self.onmessage = (event: MessageEvent<InsideMessage>) => {
  const { id, request } = event.data;
  queue = queue.then(async () => {
    try {
      const { result, transfer } = await handle(request);
      const reply: InsideReply = { id, ok: true, result };
      self.postMessage(reply, { transfer });
    } catch (err) {
      const reply: InsideReply = {
        id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      };
      self.postMessage(reply);
    }
  });
};
