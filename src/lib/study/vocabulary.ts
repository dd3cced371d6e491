/**
 * The study's 42 scene labels in CSV row order (paper Table I, sub-labels after their parent),
 * and the 13 the paper kept (used at least 20 times over its 1302 labelled sequences).
 */
export const LABEL_VOCABULARY = [
  'suspense',
  'chase',
  'hidden threat',
  'hiding',
  'comedy',
  'romantic comedy',
  'courtroom drama',
  'detective',
  'murder scene',
  'crime',
  'fantasy',
  'horror',
  'mystery',
  'romance',
  'drama',
  'everyday life',
  'dream',
  'landscape',
  'conversation',
  'aggressive conversation',
  'calm conversation',
  'conversation main actor',
  'intrigue',
  'action',
  'death',
  'many deaths',
  'main character dies',
  'villain death',
  'running',
  'recovery',
  'hero recovers',
  'laughter',
  'sleeping',
  'blood (violence)',
  'sex',
  'kissing',
  'crying',
  'main character cries',
  'other character cries',
  'pets',
  'injury',
  'sudden shock',
] as const;

export type LabelName = (typeof LABEL_VOCABULARY)[number];

export const PAPER_KEPT_LABEL_INDICES = [0, 4, 14, 15, 16, 17, 18, 21, 23, 24, 28, 33, 41] as const;

/** The paper drops labels used fewer than this many times over the whole study. */
export const DEFAULT_MIN_LABEL_COUNT = 20;

export function labelIndex(name: LabelName): number {
  return LABEL_VOCABULARY.indexOf(name);
}
