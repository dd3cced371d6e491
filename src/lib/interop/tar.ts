/**
 * A minimal POSIX ustar writer: several files in one download that any system opens (`tar xf`,
 * Python's tarfile, 7-Zip) without a zip library. Contents are Blob parts, never copied into one
 * buffer, so a dataset of frames can be larger than memory allows for a single array.
 */
export interface TarEntry {
  name: string;
  data: Blob;
}

const BLOCK = 512;

function header(name: string, size: number, mtime: number): Uint8Array<ArrayBuffer> {
  if (new TextEncoder().encode(name).length > 100)
    throw new Error(`Name too long for tar: ${name}`);
  const h = new Uint8Array(BLOCK);
  const put = (text: string, at: number) => h.set(new TextEncoder().encode(text), at);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';
  put(name, 0);
  put(octal(0o644, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(Math.floor(mtime / 1000), 12), 136);
  put('        ', 148); // checksum field counts as spaces while summing
  put('0', 156);
  put('ustar\0', 257);
  put('00', 263);
  const sum = h.reduce((a, b) => a + b, 0);
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

export function tarBlob(entries: readonly TarEntry[], mtime = Date.now()): Blob {
  const parts: BlobPart[] = [];
  for (const e of entries) {
    parts.push(header(e.name, e.data.size, mtime), e.data);
    const pad = (BLOCK - (e.data.size % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return new Blob(parts, { type: 'application/x-tar' });
}
