/**
 * Adadelta exactly as Keras 2.1 applies it, the paper's optimiser, updating groups of variables
 * as one flat vector.
 *
 * Why not `tf.train.adadelta`: tfjs 4.22 divides by the gradient accumulator *before* this step's
 * squared gradient is added to it, so its first step moves every weight by lr·g (with lr 1.0, the
 * whole gradient), where Keras uses the updated accumulator and moves by ≈ lr·√ε/√(1−ρ). Why flat:
 * the per-variable update is ~16 tiny elementwise ops, and on WebGPU each op is a dispatch with a
 * fixed CPU cost (≈0.13 ms on an H200 under Dawn) that dominated small-batch autoencoder steps.
 * Variables are packed into groups of at most `groupElements` values (a variable larger than that
 * is a group alone), so a group's buffers stay below WebGPU's storage-binding limit.
 *
 * Its state is saved per variable with tfjs's names (`<variable>/accum_grad`, `<variable>/accum_var`)
 * and, like tfjs's, restored by position at the next step (variable names change between
 * sessions), so checkpoints written with tfjs's optimiser restore into it.
 */
import * as tf from '@tensorflow/tfjs';
import { constant } from '../compute/constants';
import type { NamedTensor } from '../models/weights';

/** 4 Mi floats (16 MiB) per group: far below the 128 MiB default binding limit. */
export const ADADELTA_GROUP_ELEMENTS = 4 * 1024 * 1024;

interface Slot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

interface Group {
  slots: Slot[];
  /** Running mean of squared gradients (Keras `a`). */
  accumGrad: tf.Variable;
  /** Running mean of squared updates (Keras `d_a`). */
  accumUpdate: tf.Variable;
}

const GRAD_SUFFIX = '/accum_grad';
const UPDATE_SUFFIX = '/accum_var';

function flatten(tensors: tf.Tensor[]): tf.Tensor1D {
  const flat = tensors.map((t) => tf.reshape(t, [-1]) as tf.Tensor1D);
  return flat.length === 1 ? flat[0] : tf.concat(flat);
}

function slotValue(flat: tf.Tensor, slot: Slot): tf.Tensor {
  return tf.reshape(tf.slice(flat, slot.offset, slot.size), slot.shape);
}

export class KerasAdadelta extends tf.Optimizer {
  static readonly className = 'KerasAdadelta';
  private groups: Group[] | null = null;
  /** Restored accumulators in variable order, laid out into groups at the next step. */
  private restored: { grad: NamedTensor[]; update: NamedTensor[] } | null = null;

  constructor(
    readonly learningRate: number,
    readonly rho: number,
    readonly epsilon: number,
    private readonly groupElements = ADADELTA_GROUP_ELEMENTS,
  ) {
    super();
  }

  /** Groups of consecutive variables, each with zeroed (or given) accumulators. */
  private layout(
    variables: { name: string; shape: number[] }[],
    initial: { grad: NamedTensor[]; update: NamedTensor[] } | null,
  ): Group[] {
    if (initial) {
      const fits =
        initial.grad.length === variables.length &&
        variables.every(
          (v, i) =>
            tf.util.arraysEqual(initial.grad[i].tensor.shape, v.shape) &&
            tf.util.arraysEqual(initial.update[i].tensor.shape, v.shape),
        );
      if (!fits) {
        throw new Error(
          'The restored Adadelta state does not fit this model’s variables (count or shapes differ).',
        );
      }
    }
    const groups: Group[] = [];
    let slots: Slot[] = [];
    let size = 0;
    let first = 0;
    const close = (end: number) => {
      if (!slots.length) return;
      const accum = (part: NamedTensor[] | undefined) =>
        tf.tidy(() =>
          (part ? flatten(part.slice(first, end).map((w) => w.tensor)) : tf.zeros([size])).variable(
            false,
          ),
        );
      groups.push({
        slots,
        accumGrad: accum(initial?.grad),
        accumUpdate: accum(initial?.update),
      });
      slots = [];
      size = 0;
      first = end;
    };
    variables.forEach(({ name, shape }, i) => {
      const n = shape.reduce((a, b) => a * b, 1);
      if (size > 0 && size + n > this.groupElements) close(i);
      slots.push({ name, shape, offset: size, size: n });
      size += n;
    });
    close(variables.length);
    return groups;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const grads: NamedTensor[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const present = grads.filter((g) => g.tensor != null);
    if (!this.groups) {
      const restored = this.restored;
      this.restored = null;
      try {
        this.groups = this.layout(
          present.map((g) => ({ name: g.name, shape: g.tensor.shape })),
          restored,
        );
      } finally {
        if (restored) tf.dispose([...restored.grad, ...restored.update].map((w) => w.tensor));
      }
    }
    const byName = new Map(present.map((g) => [g.name, g.tensor]));
    const expected = this.groups.flatMap((g) => g.slots.map((s) => s.name));
    if (expected.length !== byName.size || expected.some((n) => !byName.has(n))) {
      throw new Error(
        'Adadelta was given other variables than at its first step; make a new optimiser for them.',
      );
    }
    const rho = constant(this.rho);
    const oneMinusRho = constant(1 - this.rho);
    const epsilon = constant(this.epsilon);
    const learningRate = constant(this.learningRate);
    const variables = tf.engine().registeredVariables;
    for (const group of this.groups) {
      tf.tidy(() => {
        const g = flatten(group.slots.map((s) => byName.get(s.name)!));
        const a = tf.add(tf.mul(group.accumGrad, rho), tf.mul(tf.square(g), oneMinusRho));
        const update = tf.mul(
          g,
          tf.div(tf.sqrt(tf.add(group.accumUpdate, epsilon)), tf.sqrt(tf.add(a, epsilon))),
        );
        const dA = tf.add(tf.mul(group.accumUpdate, rho), tf.mul(tf.square(update), oneMinusRho));
        group.accumGrad.assign(a);
        group.accumUpdate.assign(dA);
        const values = flatten(group.slots.map((s) => variables[s.name]));
        const next = tf.sub(values, tf.mul(update, learningRate));
        for (const slot of group.slots) {
          const value = variables[slot.name];
          value.assign(
            group.slots.length === 1 ? tf.reshape(next, slot.shape) : slotValue(next, slot),
          );
        }
      });
    }
    this.incrementIterations();
  }

  override dispose(): void {
    for (const g of this.groups ?? []) tf.dispose([g.accumGrad, g.accumUpdate]);
    if (this.restored)
      tf.dispose([...this.restored.grad, ...this.restored.update].map((w) => w.tensor));
    this.groups = null;
    this.restored = null;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    // Copies, like the slices below: the caller releases what it gets.
    if (this.restored) {
      const copy = (w: NamedTensor) => ({ name: w.name, tensor: w.tensor.clone() });
      return [
        await this.saveIterations(),
        ...this.restored.grad.map(copy),
        ...this.restored.update.map(copy),
      ];
    }
    const part = (suffix: string, pick: (g: Group) => tf.Variable) =>
      (this.groups ?? []).flatMap((g) =>
        g.slots.map((s) => ({
          name: s.name + suffix,
          tensor: tf.tidy(() => slotValue(pick(g), s)),
        })),
      );
    return [
      await this.saveIterations(),
      ...part(GRAD_SUFFIX, (g) => g.accumGrad),
      ...part(UPDATE_SUFFIX, (g) => g.accumUpdate),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    const half = values.length / 2;
    this.dispose();
    // State saved before any step holds only the iteration count: start from zero accumulators.
    this.restored = half ? { grad: values.slice(0, half), update: values.slice(half) } : null;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config.learningRate, config.rho, config.epsilon);
  }
}

tf.serialization.registerClass(KerasAdadelta);
