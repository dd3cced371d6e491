/**
 * One name and one label per metric a run records. Runs are written by several trainers: the
 * video training loop nests task metrics under `metrics.` and spells the validation loss
 * `valLoss`, the audio and experiment runs keep Keras's `val_loss`; the views read every spelling
 * as the same metric so that a metric is one checkbox, one legend entry and one CSV name.
 */

/** Spellings that mean a canonical name. */
const ALIASES: Readonly<Record<string, string>> = {
  val_loss: 'valLoss',
};

/** Prefixes that only say where a trainer kept the metric. */
const WRAPPERS = ['metrics.'];

/** The canonical name of a recorded metric key (dotted for nested values, e.g. per film). */
export function canonicalMetric(key: string): string {
  let name = key;
  for (const prefix of WRAPPERS) if (name.startsWith(prefix)) name = name.slice(prefix.length);
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  return (ALIASES[head] ?? head) + (dot < 0 ? '' : name.slice(dot));
}

const LABELS: Readonly<Record<string, string>> = {
  loss: 'training loss',
  valLoss: 'validation loss',
  valLossPerFilm: 'validation loss',
  maePerMovie: 'validation MAE',
  f1: 'weighted F1',
  precision: 'weighted precision',
  recall: 'weighted recall',
  mae: 'validation MAE',
  seconds: 'seconds per epoch',
  sequencesPerSecond: 'sequences per second',
};

/** What a legend, checkbox or axis calls a canonical metric; nested keys keep their tail. */
export function metricLabel(name: string): string {
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const label = LABELS[head] ?? head;
  return dot < 0 ? label : `${label} · ${name.slice(dot + 1)}`;
}

/** The losses a runs view shows before the user picks. */
export const LOSS_METRICS: readonly string[] = ['loss', 'valLoss'];
