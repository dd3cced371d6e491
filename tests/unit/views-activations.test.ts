// The activation maps show exactly what the network computes: heatmap values for a filter equal
// that layer's output for the sequence (checked against tfjs ops applied independently), every
// chosen layer comes out of one pass of one composite model, and dead filters are found.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  activationModel,
  encodedLayerIndex,
  layerOutputs,
  readActivations,
  sequenceInput,
  volumeLayers,
} from '../../src/lib/views/activations';
import { untrainedEncoder } from '../../src/lib/models/untrained-encoder';
import {
  cellAt,
  filterValues,
  normaliser,
  renderGrid,
  type LayerActivation,
} from '../../src/lib/views/heatmap';
import { colourOf } from '../../src/lib/views/colormap';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small encoder-like model: conv → pool → conv, on 6 frames of 8×10×2. */
function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [6, 8, 10, 2] });
  const c1 = tf.layers
    .conv3d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' })
    .apply(input) as tf.SymbolicTensor;
  const p1 = tf.layers.maxPooling3d({ poolSize: 2, name: 'p1' }).apply(c1) as tf.SymbolicTensor;
  const c2 = tf.layers
    .conv3d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c2' })
    .apply(p1) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: c2 });
}

function seededInput(shape: number[]): tf.Tensor {
  return tf.randomUniform(shape, 0, 1, 'float32', 7);
}

describe('activation model', () => {
  it('gives heatmap values for a filter equal to that layer’s output for the sequence', async () => {
    const model = smallModel();
    const x = seededInput([1, 6, 8, 10, 2]);
    const names = ['c1', 'p1', 'c2'];
    const composite = activationModel(model, names);
    expect(composite.outputs).toHaveLength(3);
    const acts = await readActivations(layerOutputs(composite, names, x));
    const byName = new Map(acts.map((a) => [a.name, a]));

    // Independent path: the layers' own weights through raw tfjs ops.
    const [k1, b1] = model.getLayer('c1').getWeights();
    const [k2, b2] = model.getLayer('c2').getWeights();
    const ref1 = tf.relu(tf.conv3d(x as tf.Tensor5D, k1 as tf.Tensor5D, 1, 'same').add(b1));
    const refP = tf.maxPool3d(ref1 as tf.Tensor5D, 2, 2, 'valid');
    const ref2 = tf.relu(tf.conv3d(refP, k2 as tf.Tensor5D, 1, 'same').add(b2));

    for (const [name, ref] of [
      ['c1', ref1],
      ['p1', refP],
      ['c2', ref2],
    ] as const) {
      const act = byName.get(name)!;
      expect(act.shape).toEqual(ref.shape.slice(1));
      const filters = act.shape[3];
      for (let f = 0; f < filters; f++) {
        const expected = await ref.slice([0, 0, 0, 0, f], [1, -1, -1, -1, 1]).data();
        const heat = filterValues(act, f);
        expect(heat.length).toBe(expected.length);
        let worst = 0;
        for (let i = 0; i < heat.length; i++)
          worst = Math.max(worst, Math.abs(heat[i] - expected[i]));
        expect(worst).toBeLessThan(1e-5);
      }
    }
    // And the same as the full model's own output for the last layer.
    const full = await (model.predict(x) as tf.Tensor).data();
    const c2 = byName.get('c2')!;
    expect(Math.max(...c2.values.map((v, i) => Math.abs(v - full[i])))).toBeLessThan(1e-6);
  });

  it('paints each heatmap pixel with the colour of that filter’s value on the layer range', async () => {
    const model = smallModel();
    const names = ['c1'];
    const [act] = await readActivations(
      layerOutputs(activationModel(model, names), names, seededInput([1, 6, 8, 10, 2])),
    );
    const grid = renderGrid(act, { frames: [1, 4], scale: 2, gap: 1 });
    expect(grid.layout.width).toBe(2 * (10 * 2 + 1) - 1);
    expect(grid.layout.height).toBe(4 * (8 * 2 + 1) - 1);
    const norm = normaliser(grid.range);
    const [, h, w, filters] = act.shape;
    let checked = 0;
    for (let y = 0; y < grid.layout.height; y += 3) {
      for (let x = 0; x < grid.layout.width; x += 3) {
        const cell = cellAt(grid.layout, x, y);
        const i = (y * grid.layout.width + x) * 4;
        if (!cell) {
          expect(grid.pixels[i + 3]).toBe(0);
          continue;
        }
        const v = act.values[((cell.frame * h + cell.row) * w + cell.col) * filters + cell.filter];
        expect([...grid.pixels.subarray(i, i + 3)]).toEqual(colourOf(norm(v)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    const white = renderGrid(act, {
      frames: [1, 4],
      scale: 2,
      gap: 1,
      background: [255, 255, 255, 255],
    });
    const gap = (20 * white.layout.width + 20) * 4; // column 20 is the gap between the two frames
    expect(cellAt(white.layout, 20, 20)).toBeNull();
    expect([...white.pixels.subarray(gap, gap + 4)]).toEqual([255, 255, 255, 255]);
    expect(grid.range.max).toBeGreaterThan(grid.range.min);
  });

  it('marks filters that never activate', async () => {
    const model = smallModel();
    const conv = model.getLayer('c1');
    const [kernel, bias] = conv.getWeights();
    const b = bias.arraySync() as number[];
    b[2] = -100; // inputs are in [0, 1): filter 2 can never exceed zero
    conv.setWeights([kernel, tf.tensor1d(b)]);
    const names = ['c1', 'p1'];
    const acts = await readActivations(
      layerOutputs(activationModel(model, names), names, seededInput([1, 6, 8, 10, 2])),
    );
    for (const act of acts) expect(renderGrid(act).dead).toEqual([2]);
  });

  it('builds an untrained encoder-shaped model and lists its volume layers', async () => {
    const resolution = { width: 16, height: 8 };
    const model = untrainedEncoder(resolution);
    const layers = volumeLayers(model);
    expect(layers.map((l) => [l.name, l.className, l.shape])).toEqual([
      ['conv3d_1', 'Conv3D', [30, 8, 16, 32]],
      ['max_pooling3d_1', 'MaxPooling3D', [15, 4, 8, 32]],
      ['conv3d_2', 'Conv3D', [15, 4, 8, 64]],
      ['max_pooling3d_2', 'MaxPooling3D', [7, 2, 4, 64]],
    ]);
    // Seeded: two builds agree; the input is the stored bytes / 255.
    const again = untrainedEncoder(resolution);
    expect(await again.getLayer('conv3d_2').getWeights()[0].data()).toEqual(
      await model.getLayer('conv3d_2').getWeights()[0].data(),
    );
    const bytes = new Uint8Array(30 * 8 * 16 * 3).map((_, i) => i % 256);
    const input = sequenceInput(bytes, resolution);
    expect(input.shape).toEqual([1, 30, 8, 16, 3]);
    expect((await input.data())[255]).toBeCloseTo(1);
    expect(() => sequenceInput(bytes.subarray(1), resolution)).toThrow(/bytes/);
    const names = layers.map((l) => l.name);
    const acts: LayerActivation[] = await readActivations(
      layerOutputs(activationModel(model, names), names, input),
    );
    expect(acts.map((a) => a.shape)).toEqual(layers.map((l) => l.shape));
    expect(acts[0].values.some((v) => v > 0)).toBe(true);
  });
});

describe('encoded volume', () => {
  it('is the first layer of smallest volume, before the decoder grows again', () => {
    const shapes: [number, number, number, number][] = [
      [30, 36, 64, 32],
      [15, 18, 32, 32],
      [7, 9, 16, 64],
      [7, 9, 16, 64],
      [14, 18, 32, 64],
    ];
    expect(encodedLayerIndex(shapes.map((shape) => ({ shape })))).toBe(2);
    expect(encodedLayerIndex([])).toBe(-1);
  });
});
