// .npy interchange: round trips for every supported dtype, real NumPy files from the reference
// data, and clear errors for what is not supported.
import { describe, expect, it } from 'vitest';
import { NpyError, readNpy, writeNpy } from '../../src/lib/util/npy';
import { readReference } from '../reference';

describe('npy', () => {
  it('round-trips each dtype with its shape', () => {
    const cases = [
      [new Uint8Array([0, 1, 255, 7, 8, 9]), [2, 3]],
      [new Int32Array([-5, 2 ** 31 - 1]), [2]],
      [new Float32Array([0.5, -1.25, 3, 4]), [1, 2, 2]],
      [new Float64Array([Math.PI]), [1]],
    ] as const;
    for (const [data, shape] of cases) {
      const bytes = writeNpy(data, shape);
      expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
      const back = readNpy(bytes.buffer);
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  it('reads NumPy-written reference arrays', () => {
    const x = readNpy(readReference('keras/audio_input_buddy5.npy'));
    expect(x.shape).toEqual([5, 193]);
    expect(x.data.length).toBe(5 * 193);
    expect(x.data.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('rejects Fortran order, unknown dtypes, truncation and non-npy bytes', () => {
    const good = writeNpy(new Float32Array(6), [2, 3]);
    const text = new TextDecoder('latin1').decode(good);
    const patch = (from: string, to: string) => {
      const t = text.replace(from, to);
      return Uint8Array.from(t, (c) => c.charCodeAt(0)).buffer;
    };
    expect(() => readNpy(patch("'fortran_order': False", "'fortran_order': True "))).toThrow(
      /Fortran/,
    );
    expect(() => readNpy(patch("'<f4'", "'>f4'"))).toThrow(/not supported/);
    expect(() => readNpy(good.buffer.slice(0, good.length - 4))).toThrow(/truncated/);
    expect(() => readNpy(new TextEncoder().encode('hello world!').buffer)).toThrow(NpyError);
  });
});
