/**
 * The demo study's scene types. Each has a distinct look (frames), a distinct sound (audio), a set
 * of study labels, and a breath response (how each gas rises a period after the scene) — so every
 * network in the notebook has something real to learn from the demo.
 */
import type { LabelName } from '../study/vocabulary';
import { CHEMICAL_KEYS } from '../study/chemicals';

export interface SceneType {
  key: string;
  labels: readonly LabelName[];
  /** Added to each gas (in CHEMICAL_KEYS order) while the scene plays, in units of its range. */
  gasResponse: readonly number[];
  /** Writes one RGB frame (height × width × 3, uint8) for second `t` of the scene. */
  render(out: Uint8Array, width: number, height: number, t: number, rand: () => number): void;
  /** Writes mono audio for the scene, values in [-1, 1]. */
  sound(out: Float32Array, sampleRate: number, rand: () => number): void;
}

function fill(
  out: Uint8Array,
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
) {
  let i = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x / width, y / height);
      out[i++] = r;
      out[i++] = g;
      out[i++] = b;
    }
  }
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

export const SCENE_TYPES: readonly SceneType[] = [
  {
    key: 'landscape',
    labels: ['landscape', 'everyday life'],
    gasResponse: [0, 0.05, 0, 0, 0, 0],
    render(out, w, h, t) {
      const sun = (t * 0.02) % 1;
      fill(out, w, h, (x, y) => {
        const inSun = (x - sun) ** 2 + (y - 0.2) ** 2 < 0.008;
        if (inSun) return [250, 230, 120];
        return y < 0.55 ? [90 + 60 * y, 150 + 60 * y, 230] : [40, 120 + 60 * (1 - y), 50];
      });
    },
    sound(out, sr, rand) {
      let lp = 0;
      for (let i = 0; i < out.length; i++) {
        lp = 0.98 * lp + 0.02 * (rand() * 2 - 1);
        out[i] = 0.5 * lp + 0.05 * Math.sin((2 * Math.PI * 220 * i) / sr);
      }
    },
  },
  {
    key: 'action',
    labels: ['action', 'running', 'suspense'],
    gasResponse: [0.45, 0.1, 0.05, 0.2, 0.5, 0.05],
    render(out, w, h, t, rand) {
      const flash = rand() < 0.3 ? 80 : 0;
      const shift = (t * 0.17) % 1;
      fill(out, w, h, (x) => {
        const bar = ((x + shift) * 6) % 1 < 0.25;
        return bar ? [clamp(230 + flash), clamp(220 + flash), 200] : [clamp(170 + flash), 40, 20];
      });
    },
    sound(out, sr, rand) {
      for (let i = 0; i < out.length; i++) {
        const burst = Math.floor((i / sr) * 3) % 2 === 0 ? 0.6 : 0.15;
        const saw = ((110 * i) / sr) % 1;
        out[i] = burst * (rand() * 2 - 1) * 0.7 + 0.2 * (saw * 2 - 1);
      }
    },
  },
  {
    key: 'conversation',
    labels: ['conversation', 'conversation main actor', 'drama'],
    gasResponse: [0.05, 0, 0.1, 0.05, 0, 0.15],
    render(out, w, h, t) {
      const speaker = Math.floor(t / 4) % 2;
      fill(out, w, h, (x, y) => {
        const left = (x - 0.3) ** 2 / 0.012 + (y - 0.45) ** 2 / 0.05 < 1;
        const right = (x - 0.7) ** 2 / 0.012 + (y - 0.45) ** 2 / 0.05 < 1;
        if (left) return speaker === 0 ? [235, 190, 160] : [170, 130, 110];
        if (right) return speaker === 1 ? [235, 190, 160] : [170, 130, 110];
        return [120, 95, 70];
      });
    },
    sound(out, sr, rand) {
      for (let i = 0; i < out.length; i++) {
        const s = i / sr;
        const gate = Math.sin(2 * Math.PI * 4 * s) > 0 ? 1 : 0.1;
        const pitch = 150 + 60 * Math.sin(2 * Math.PI * 0.3 * s);
        const phase = 2 * Math.PI * pitch * s;
        out[i] =
          gate * (0.3 * Math.sin(phase) + 0.15 * Math.sin(3 * phase) + 0.08 * Math.sin(5 * phase)) +
          0.01 * (rand() * 2 - 1);
      }
    },
  },
  {
    key: 'suspense',
    labels: ['suspense', 'sudden shock'],
    gasResponse: [0.2, 0, 0, 0.45, 0.25, 0],
    render(out, w, h, t) {
      const size = 0.05 + 0.012 * t;
      fill(out, w, h, (x, y) => {
        const inside = (x - 0.5) ** 2 + (y - 0.5) ** 2 < size * size;
        return inside ? [110, 110, 125] : [15, 15, 25];
      });
    },
    sound(out, sr, rand) {
      for (let i = 0; i < out.length; i++) {
        const s = i / sr;
        out[i] =
          0.4 * Math.sin(2 * Math.PI * 55 * s) +
          0.05 * Math.sin(2 * Math.PI * 3000 * s) * Math.sin(2 * Math.PI * 0.5 * s) +
          0.01 * (rand() * 2 - 1);
      }
    },
  },
];

if (SCENE_TYPES.some((s) => s.gasResponse.length !== CHEMICAL_KEYS.length)) {
  throw new Error('Every demo scene needs one gas response per chemical.');
}
