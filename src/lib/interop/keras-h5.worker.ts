/**
 * Reads a Keras .h5 off the page's thread: the File is mounted read-only with WORKERFS, so HDF5
 * reads only the bytes it needs (the header, the config, each weight) instead of a full copy.
 */
import h5wasm from 'h5wasm';
import { InteropError } from './errors';
import { checkKerasFileHead, readKerasPath } from './keras-h5';
import type { ReadReply, ReadRequest } from './keras-h5.protocol';
import { SNIFF_BYTES } from './sniff';

const MOUNT = '/dropped';
let mounted = false;

self.onmessage = async (event: MessageEvent<ReadRequest>) => {
  const { file } = event.data;
  const reply = (r: ReadReply, transfer: Transferable[] = []) =>
    (self as unknown as Worker).postMessage(r, transfer);
  try {
    const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
    checkKerasFileHead(head, file.size, file.name);
    const { FS } = await h5wasm.ready;
    const fs = FS as unknown as {
      mkdir(p: string): void;
      mount(type: unknown, opts: { files: File[] }, dir: string): void;
      unmount(dir: string): void;
      filesystems: { WORKERFS: unknown };
    };
    if (mounted) fs.unmount(MOUNT);
    else fs.mkdir(MOUNT);
    fs.mount(fs.filesystems.WORKERFS, { files: [file] }, MOUNT);
    mounted = true;
    const content = readKerasPath(h5wasm, `${MOUNT}/${file.name}`, file.name);
    const buffers = content.layers.flatMap((l) => l.weights.map((w) => w.data.buffer));
    reply({ type: 'done', content }, buffers);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    reply({ type: err instanceof InteropError ? 'refused' : 'failed', message });
  }
};
