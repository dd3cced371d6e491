/**
 * What each "beyond the paper" experiment (paper §V) compares, in words for the notebook, and
 * whether the notebook can run it yet. One source for the section's picker and its explanations.
 */
import type { ExperimentKind } from './comparison';

export interface ExperimentEntry {
  kind: ExperimentKind;
  title: string;
  question: string;
  baseline: string;
  variant: string;
  /** 'pair': Run trains and saves a run pair; 'preview': Run shows a preview; else why not yet. */
  runs: 'pair' | 'preview' | { notYet: string };
}

export const EXPERIMENTS: readonly ExperimentEntry[] = [
  {
    kind: 'missing-gas',
    title: 'Missing gas values',
    question:
      'Do gaps in a screening hurt less when filled from the same movie’s other screenings?',
    baseline: 'Missing values set to 0.5, as the paper did.',
    variant: 'Missing values set to the mean of the movie’s other screenings at that period.',
    runs: 'pair',
  },
  {
    kind: 'response-lag',
    title: 'Response lag scan',
    question: 'Does breath respond minutes after the scene? Validation MAE against lag.',
    baseline: 'Lag 0: each clip paired with the gas measured in the same 30 s (paper).',
    variant: 'The lag 1 … N (30-s periods later) with the lowest validation MAE.',
    runs: 'pair',
  },
  {
    kind: 'leave-one-movie-out',
    title: 'Leave one movie out',
    question: 'Does the regressor generalise to a film it has never seen?',
    baseline: 'The paper’s split: the last 20 % of every movie validates; MAE per movie.',
    variant: 'One fold per movie: train on the others, validate on all of that movie.',
    runs: 'pair',
  },
  {
    kind: 'augmentation',
    title: 'Data augmentation preview',
    question: 'What do random zoom, translation, flips and colour jitter do to a sequence?',
    baseline: 'The stored frame.',
    variant: 'Augmented versions of it, drawn as a training batch would draw them.',
    runs: 'preview',
  },
  {
    kind: 'audio-cnn',
    title: 'Audio spectrogram CNN',
    question: 'Does a small CNN on log-mel spectrograms beat the 193-feature MLP?',
    baseline: 'The 193-feature MLP (improved variant) on the scene labels.',
    variant:
      'A small 2D CNN on each clip’s log-mel spectrogram, 64 mel bands × 129 frames of ≈ 232 ms (Piczak), trained on WebGPU.',
    runs: 'pair',
  },
  {
    kind: 'switch-unpooling',
    title: 'Switch unpooling',
    question: 'Does unpooling with max-pooling switches reconstruct and transfer better?',
    baseline: 'The paper’s decoder (nearest-neighbour upsampling).',
    variant: 'Unpooling at the argmax positions (Zeiler & Fergus).',
    runs: {
      notYet: 'the switch autoencoder is built and tested on WebGPU, not yet trainable here.',
    },
  },
  {
    kind: 'resolution',
    title: 'Higher resolution (128×72)',
    question: 'What do memory and epoch time cost at four times the pixels?',
    baseline: '64×36 frames.',
    variant: '128×72 frames.',
    runs: { notYet: 'needs movies decoded at 128×72 and a measured GPU run.' },
  },
];

export function experimentEntry(kind: ExperimentKind): ExperimentEntry {
  const entry = EXPERIMENTS.find((e) => e.kind === kind);
  if (!entry) throw new Error(`Unknown experiment ${kind}.`);
  return entry;
}
