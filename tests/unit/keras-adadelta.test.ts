// Adadelta against Keras 2.1's update rule written out independently in float64, on variables that
// fall into several groups (a multi-variable group, a variable larger than a group alone).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { KerasAdadelta } from '../../src/lib/training/keras-adadelta';
import { seededRandom } from '../../src/lib/util/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const RHO = 0.95;
const EPS = 1e-7;
const LR = 1.0;
const SHAPES = [[3, 2], [4], [2, 2, 3], [5]];

/** Keras 2.1 `Adadelta.get_updates`, one step, in float64. */
function kerasStep(p: number[], g: number[], a: number[], dA: number[]) {
  for (let i = 0; i < p.length; i++) {
    a[i] = RHO * a[i] + (1 - RHO) * g[i] * g[i];
    const update = (g[i] * Math.sqrt(dA[i] + EPS)) / Math.sqrt(a[i] + EPS);
    p[i] -= LR * update;
    dA[i] = RHO * dA[i] + (1 - RHO) * update * update;
  }
}

/** Loss Σ c·w² + d·w over all variables: gradient 2c·w + d, known without autodiff. */
function problem() {
  const rand = seededRandom(11);
  const vars = SHAPES.map((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return {
      w: Array.from({ length: n }, () => rand() * 2 - 1),
      c: Array.from({ length: n }, () => 0.5 + rand() * 3),
      d: Array.from({ length: n }, () => rand() - 0.5),
      shape,
    };
  });
  return vars;
}

function tfSetup(vars: ReturnType<typeof problem>) {
  const variables = vars.map((v) => tf.variable(tf.tensor(v.w, v.shape)));
  const consts = vars.map((v) => [tf.tensor(v.c, v.shape), tf.tensor(v.d, v.shape)]);
  const loss = () =>
    tf.addN(
      variables.map((w, i) =>
        tf.sum(tf.add(tf.mul(consts[i][0], tf.square(w)), tf.mul(consts[i][1], w))),
      ),
    ) as tf.Scalar;
  return { variables, loss, dispose: () => tf.dispose([...variables, ...consts.flat()]) };
}

function run(optimizer: tf.Optimizer, steps: number, setup: ReturnType<typeof tfSetup>) {
  for (let s = 0; s < steps; s++) {
    tf.dispose(optimizer.minimize(setup.loss, true, setup.variables)!);
  }
  return setup.variables.map((v) => Array.from(v.dataSync()));
}

describe('Keras Adadelta', () => {
  it('follows Keras 2.1 step for step across variable groups', () => {
    const vars = problem();
    // Groups of at most 8 values: [3×2], [4], [2×2×3] alone (12 > 8), [5].
    const optimizer = new KerasAdadelta(LR, RHO, EPS, 8);
    const setup = tfSetup(vars);
    const ref = vars.map((v) => ({ p: [...v.w], a: v.w.map(() => 0), dA: v.w.map(() => 0) }));
    for (let step = 1; step <= 25; step++) {
      const got = run(optimizer, 1, setup);
      ref.forEach((r, i) => {
        const g = r.p.map((w, j) => 2 * vars[i].c[j] * w + vars[i].d[j]);
        kerasStep(r.p, g, r.a, r.dA);
        got[i].forEach((x, j) => expect(Math.abs(x - r.p[j])).toBeLessThan(1e-5));
      });
    }
    // The weights really moved (Adadelta's first steps are ≈ √ε-sized, so 25 steps move a little).
    expect(Math.abs(ref[0].p[0] - vars[0].w[0])).toBeGreaterThan(1e-4);
    optimizer.dispose();
    setup.dispose();
  });

  it('moves by about √ε/√(1−ρ) at the first step, where tfjs’s own Adadelta moves by the gradient', () => {
    const vars = problem();
    const ours = tfSetup(vars);
    const first = run(new KerasAdadelta(LR, RHO, EPS), 1, ours)[1][0];
    const stock = tfSetup(vars);
    const tfjs = run(tf.train.adadelta(LR, RHO, EPS), 1, stock)[1][0];
    const w = vars[1].w[0];
    const g = 2 * vars[1].c[0] * w + vars[1].d[0];
    expect(Math.abs(first - w)).toBeCloseTo(Math.sqrt(EPS / (1 - RHO)), 5);
    expect(tfjs - w).toBeCloseTo(-LR * g, 4);
    ours.dispose();
    stock.dispose();
  });

  it('saves its state under tfjs’s names and resumes where it stopped', async () => {
    const vars = problem();
    const straight = tfSetup(vars);
    const a = new KerasAdadelta(LR, RHO, EPS, 8);
    const expected = run(a, 7, straight);

    const resumed = tfSetup(vars);
    const b = new KerasAdadelta(LR, RHO, EPS, 8);
    run(b, 4, resumed);
    const state = await b.getWeights();
    expect(state.map((s) => s.name.replace(/^.*\//, ''))).toEqual([
      'iter',
      ...SHAPES.map(() => 'accum_grad'),
      ...SHAPES.map(() => 'accum_var'),
    ]);
    expect(state[1].tensor.shape).toEqual(SHAPES[0]);
    const c = new KerasAdadelta(LR, RHO, EPS, 8);
    await c.setWeights(state.map((s) => ({ name: s.name, tensor: s.tensor.clone() })));
    expect(c.iterations).toBe(4);
    expect(run(c, 3, resumed)).toEqual(expected);
    tf.dispose(state.map((s) => s.tensor));
    [a, b, c].forEach((o) => o.dispose());
    straight.dispose();
    resumed.dispose();
  });

  it('refuses state that does not fit the model', async () => {
    const vars = problem();
    const setup = tfSetup(vars);
    const o = new KerasAdadelta(LR, RHO, EPS);
    await o.setWeights([
      { name: 'iter', tensor: tf.scalar(1) },
      { name: 'x/accum_grad', tensor: tf.zeros([2]) },
      { name: 'x/accum_var', tensor: tf.zeros([2]) },
    ]);
    expect(() => run(o, 1, setup)).toThrow(/does not fit/);
    o.dispose();
    setup.dispose();
  });
});
