/**
 * The built-in demo study: a few short synthetic "movies" whose scenes differ in look and sound,
 * their scene labels, and several VOC screenings per movie whose gas curves respond to the scenes.
 * Built in the browser in seconds, so every section of the notebook has something to learn from
 * without the user owning any movie file.
 */
import {
  AUDIO_CLIP_SAMPLES,
  AUDIO_SAMPLE_RATE,
  CHANNELS,
  DEFAULT_RESOLUTION,
  FRAMES_PER_SECOND,
  FRAMES_PER_SEQUENCE,
  SECONDS_PER_SEQUENCE,
} from '../shapes';
import { SCENE_TYPES, type SceneType } from './scenes';
import { seededRandom } from '../util/random';
import { createProject } from '../store/projects';
import { appendSequence, putMovie } from '../store/movies';
import { newId } from '../util/id';
import { LABEL_VOCABULARY } from '../study/vocabulary';
import { CHEMICAL_KEYS } from '../study/chemicals';
import { labelsToCsv } from '../study/labelsCsv';
import { importLabelCsv, importScreening } from '../study/studyStore';
import { saveStudySettings } from '../study/settings';
import { syntheticArff } from '../study/syntheticArff';
import type { MovieRecord, ProjectRecord } from '../store/schema';
import { IngestJob } from '../ingest/ingest';

export interface DemoMoviePlan {
  name: string;
  /** Scene type key of each 30-s sequence. */
  scenes: readonly string[];
  screenings: number;
  /** A committed video (under public/) decoded by the real ingest path instead of synthesised. */
  video?: string;
}

const [L, A, C, S] = ['landscape', 'action', 'conversation', 'suspense'];

export const DEMO_MOVIES: readonly DemoMoviePlan[] = [
  { name: 'Harbour Run', scenes: [L, L, C, C, A, A, S, A, C, L], screenings: 3 },
  { name: 'Night Shift', scenes: [S, S, C, A, A, S, C, C, A, S], screenings: 3 },
  { name: 'Summer Talk', scenes: [C, L, C, L, S, A, A, C, L, C], screenings: 2 },
  { name: 'Four Scenes', scenes: [L, A, C, S], screenings: 2, video: 'demo/four-scenes.mp4' },
];

export const DEMO_PROJECT_NAME = 'Demo study';

/** Labels used at least this often over the demo's 30 sequences are kept. */
export const DEMO_MIN_LABEL_COUNT = 3;

/**
 * The demo's breath answers the scene one 30-s period later (`demoGasResponse`), so its study
 * pairs sequence r with gas row r + 1, as a researcher who knows the response lag would set it.
 */
export const DEMO_GAS_LAG = 1;

export interface DemoProgress {
  fraction: number;
  label: string;
}

function sceneOf(key: string): SceneType {
  const scene = SCENE_TYPES.find((s) => s.key === key);
  if (!scene) throw new Error(`Unknown demo scene ${key}`);
  return scene;
}

export function renderSequence(scene: SceneType, sequenceIndex: number, seed: number): ArrayBuffer {
  const { width, height } = DEFAULT_RESOLUTION;
  const frameBytes = width * height * CHANNELS;
  const frames = new Uint8Array(FRAMES_PER_SEQUENCE * frameBytes);
  const rand = seededRandom(seed);
  for (let f = 0; f < FRAMES_PER_SEQUENCE; f++) {
    const t = sequenceIndex * SECONDS_PER_SEQUENCE + f / FRAMES_PER_SECOND;
    scene.render(frames.subarray(f * frameBytes, (f + 1) * frameBytes), width, height, t, rand);
  }
  return frames.buffer;
}

export function renderClip(scene: SceneType, seed: number): ArrayBuffer {
  const samples = new Float32Array(AUDIO_CLIP_SAMPLES);
  scene.sound(samples, AUDIO_SAMPLE_RATE, seededRandom(seed));
  return samples.buffer;
}

/** Scene labels of a plan: one row per sequence, one column per vocabulary label. */
export function demoLabelMatrix(plan: DemoMoviePlan): Uint8Array<ArrayBuffer> {
  const m = new Uint8Array(plan.scenes.length * LABEL_VOCABULARY.length);
  plan.scenes.forEach((key, row) => {
    for (const label of sceneOf(key).labels) {
      m[row * LABEL_VOCABULARY.length + LABEL_VOCABULARY.indexOf(label)] = 1;
    }
  });
  return m;
}

/**
 * The breath response every screening of a plan shares (rows × chemicals): each gas rises with the
 * scene one period earlier (breath lags the screen). The ARFF generator adds smoothing, audience
 * size, noise and gaps per screening.
 */
export function demoGasResponse(plan: DemoMoviePlan): Float32Array {
  const k = CHEMICAL_KEYS.length;
  const out = new Float32Array(plan.scenes.length * k);
  for (let r = 1; r < plan.scenes.length; r++) {
    out.set(sceneOf(plan.scenes[r - 1]).gasResponse, r * k);
  }
  return out;
}

export interface DemoOptions {
  /**
   * Decode the committed demo video through the real ingest path (default). Off where no browser
   * decoder exists (Node unit tests), which then get only the synthesised movies.
   */
  withVideo?: boolean;
}

export async function loadDemoProject(
  onProgress: (p: DemoProgress) => void = () => {},
  { withVideo = true }: DemoOptions = {},
): Promise<ProjectRecord> {
  const project = await createProject(DEMO_PROJECT_NAME, true);
  const plans = DEMO_MOVIES.filter((plan) => withVideo || !plan.video);
  const total = plans.reduce((n, m) => n + m.scenes.length, 0);
  let done = 0;
  for (const plan of plans) {
    const movieNo = DEMO_MOVIES.indexOf(plan);
    if (plan.video) {
      const movie = await ingestDemoVideo(project.id, plan, (p) =>
        onProgress({ fraction: (done + p * plan.scenes.length) / total, label: plan.name }),
      );
      done += plan.scenes.length;
      await storeDemoStudyData(project.id, movie.id, plan, movieNo);
      continue;
    }
    const movie: MovieRecord = {
      id: newId(),
      projectId: project.id,
      name: plan.name,
      durationS: plan.scenes.length * SECONDS_PER_SEQUENCE,
      frameRate: FRAMES_PER_SECOND,
      source: { fileName: `${plan.name} (synthetic)`, size: 0, hash: `demo-${movieNo}` },
      settings: {
        startS: 0,
        endS: null,
        ...DEFAULT_RESOLUTION,
        fit: 'stretch',
        channelOrder: 'rgb',
      },
      state: 'incomplete',
      sequencesDone: 0,
      sequencesTotal: plan.scenes.length,
      createdAt: Date.now() + movieNo,
    };
    await putMovie(movie);
    for (const [index, key] of plan.scenes.entries()) {
      const scene = sceneOf(key);
      const seed = movieNo * 1000 + index;
      await appendSequence(movie.id, {
        index,
        frames: renderSequence(scene, index, seed),
        audio: { sampleRate: AUDIO_SAMPLE_RATE, samples: renderClip(scene, seed) },
      });
      onProgress({ fraction: ++done / total, label: `${plan.name}: sequence ${index + 1}` });
    }
    await putMovie({ ...movie, sequencesDone: plan.scenes.length, state: 'complete' });
    await storeDemoStudyData(project.id, movie.id, plan, movieNo);
  }
  return project;
}

/** Fetches a committed demo video and ingests it like a dropped file. */
async function ingestDemoVideo(
  projectId: string,
  plan: DemoMoviePlan,
  onFraction: (f: number) => void,
): Promise<MovieRecord> {
  const response = await fetch(`${import.meta.env.BASE_URL}${plan.video}`);
  if (!response.ok) throw new Error(`The demo video ${plan.video} is missing.`);
  const file = new File([await response.blob()], `${plan.name}.mp4`, { type: 'video/mp4' });
  const job = await IngestJob.open(projectId, file);
  return job.start((p) => onFraction(p.fraction));
}

/** Labels and screenings go through the same importers as a researcher's files. */
async function storeDemoStudyData(
  projectId: string,
  movieId: string,
  plan: DemoMoviePlan,
  movieNo: number,
) {
  // 30 demo sequences: the paper's threshold of 20 uses would drop nearly every label.
  await saveStudySettings(projectId, { minLabelCount: DEMO_MIN_LABEL_COUNT, lag: DEMO_GAS_LAG });
  const csv = labelsToCsv(demoLabelMatrix(plan), LABEL_VOCABULARY, 'label-rows', false);
  await importLabelCsv(projectId, `${plan.name}.csv`, csv, { movieId });
  const response = demoGasResponse(plan);
  for (let s = 0; s < plan.screenings; s++) {
    const arff = syntheticArff({
      rows: plan.scenes.length,
      seed: 7919 * (movieNo + 1) + s,
      response,
      relation: `${plan.name} screening ${s + 1}`,
    });
    const fileName = `${s + 1}_${plan.name.replace(/\s+/g, '')}.arff`;
    await importScreening(projectId, fileName, arff, { movieId });
  }
}
