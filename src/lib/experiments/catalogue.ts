/**
 * What each "beyond the paper" experiment (paper §V) compares and what Run trains, in words for
 * the notebook. One source for the section's picker and its explanations.
 */
import type { ExperimentKind } from './comparison';

export interface ExperimentEntry {
  kind: ExperimentKind;
  title: string;
  question: string;
  baseline: string;
  variant: string;
  /** What Run actually trains and measures, and what it leaves out. */
  note?: string;
}

export const EXPERIMENTS: readonly ExperimentEntry[] = [
  {
    kind: 'missing-gas',
    title: 'Missing gas values',
    question:
      'Do gaps in a screening hurt less when filled from the same movie’s other screenings?',
    baseline: 'Missing values set to 0.5, as the paper did.',
    variant: 'Missing values set to the mean of the movie’s other screenings at that period.',
  },
  {
    kind: 'response-lag',
    title: 'Response lag scan',
    question: 'Does breath respond minutes after the scene? Validation MAE against lag.',
    baseline: 'Lag 0: each clip paired with the gas measured in the same 30 s (paper).',
    variant: 'The lag 1 … N (30-s periods later) with the lowest validation MAE.',
  },
  {
    kind: 'leave-one-movie-out',
    title: 'Leave one movie out',
    question: 'Does the regressor generalise to a film it has never seen?',
    baseline: 'The paper’s split: the last 20 % of every movie validates; MAE per movie.',
    variant: 'One fold per movie: train on the others, validate on all of that movie.',
  },
  {
    kind: 'augmentation',
    title: 'Data augmentation',
    question:
      'Does the autoencoder reconstruct unseen sequences better when trained on randomly zoomed, shifted, flipped and colour-jittered batches?',
    baseline: 'The autoencoder trained on the stored frames.',
    variant:
      'The same autoencoder, every training batch augmented on the backend (one draw per sequence; validation batches untouched).',
    note: 'Both arms train the paper’s autoencoder in the training worker (WebGPU, else CPU) from the same initial weights on the same split and keep it; a scene head and a gas head then train on each arm’s own frozen encoder (same split, seed and settings). The table compares validation reconstruction loss, scene weighted F1 and gas MAE. Preview shows what the augmentation does to a stored frame. The heads train on cached encodings, so they are not augmented.',
  },
  {
    kind: 'audio-cnn',
    title: 'Audio spectrogram CNN',
    question: 'Does a small CNN on log-mel spectrograms beat the 193-feature MLP?',
    baseline: 'The 193-feature MLP (improved variant) on the scene labels.',
    variant:
      'A small 2D CNN on each clip’s log-mel spectrogram, 64 mel bands × 129 frames of ≈ 232 ms (Piczak), trained on WebGPU.',
  },
  {
    kind: 'switch-unpooling',
    title: 'Switch unpooling',
    question:
      'Does unpooling with max-pooling switches reconstruct better, and does its encoder serve the heads better?',
    baseline: 'The paper’s decoder (nearest-neighbour upsampling).',
    variant: 'Unpooling at the argmax positions (Zeiler & Fergus), same convolutions and code.',
    note: 'Both autoencoders train in the training worker (WebGPU, else CPU) on the same split and are kept (their encoders are the paper’s layers, so the views and the encoding cache take them); a scene head and a gas head then train on each arm’s own frozen encoder (same split, seed and settings). The table compares validation reconstruction loss, scene weighted F1 and gas MAE.',
  },
  {
    kind: 'resolution',
    title: 'Higher resolution (128×72)',
    question: 'What do memory and epoch time cost at four times the pixels?',
    baseline: 'The paper’s autoencoder on 64×36 frames.',
    variant: 'The same autoencoder on 128×72 frames.',
    note: 'Both arms train on the same stored sequences, resized on the backend to each arm’s size (64×36 movies are upsampled, so the pair measures cost, not detail: ingest at 128×72 for that). The table gives parameters, activation memory per sequence, tensor memory between steps, epoch time and validation loss. `npm run bench resolution` prints the same figures for one full-size step on the CPU backend.',
  },
];

export function experimentEntry(kind: ExperimentKind): ExperimentEntry {
  const entry = EXPERIMENTS.find((e) => e.kind === kind);
  if (!entry) throw new Error(`Unknown experiment ${kind}.`);
  return entry;
}
