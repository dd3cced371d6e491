/**
 * Tells dropped files apart by their first bytes, not their names: a Keras 3 `.keras` archive
 * renamed to `.h5` must get the Keras 3 message, a truncated HDF5 file the truncation message.
 */
export type FileKind = 'hdf5' | 'zip' | 'container' | 'json' | 'unknown';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** HDF5 allows a user block before the superblock: the signature sits at 0, 512, 1024, 2048 … */
const HDF5_OFFSETS = [0, 512, 1024, 2048, 4096];
/** How many leading bytes `sniff` and `hdf5EndOfFile` need. */
export const SNIFF_BYTES = 4096 + 64;

export const CONTAINER_MAGIC = 'CINEBRTH';

export function hdf5SignatureAt(head: Uint8Array): number | null {
  for (const at of HDF5_OFFSETS) {
    if (head.length < at + 8) return null;
    if (HDF5_SIGNATURE.every((b, i) => head[at + i] === b)) return at;
  }
  return null;
}

export function sniff(head: Uint8Array): FileKind {
  if (hdf5SignatureAt(head) !== null) return 'hdf5';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
  if (String.fromCharCode(...head.subarray(0, 8)) === CONTAINER_MAGIC) return 'container';
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (
    i < head.length &&
    (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)
  )
    i++;
  if (head[i] === 0x7b) return 'json';
  return 'unknown';
}

/**
 * The file size an HDF5 superblock promises (its end-of-file address plus the user block), so a
 * truncated download is caught before the HDF5 library reads past the end. Null when the
 * superblock version is unknown or addresses are not 8 bytes (then the library decides).
 */
export function hdf5EndOfFile(head: Uint8Array): number | null {
  const at = hdf5SignatureAt(head);
  if (at === null) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const version = head[at + 8];
  let sizeOfOffsets: number;
  let eofAt: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = head[at + 13];
    // signature 8, versions/sizes 8, K values 4, flags 4, (v1: 4 more), base + free-space addresses
    eofAt = at + 24 + (version === 1 ? 4 : 0) + 2 * sizeOfOffsets;
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = head[at + 9];
    // signature 8, version/sizes/flags 4, base + extension addresses
    eofAt = at + 12 + 2 * sizeOfOffsets;
  } else {
    return null;
  }
  if (sizeOfOffsets !== 8 || head.length < eofAt + 8) return null;
  return at + Number(view.getBigUint64(eofAt, true));
}
