/**
 * Tells a cut-short MP4/MOV from one that is not a movie at all. FFmpeg reads an MP4 whose index
 * (moov) was at the end and got cut off as "moov atom not found", the same words it has for a file
 * that never had one; a file that ends inside one of its top-level boxes (the media data, mdat,
 * whose size still promises the rest) was truncated, and the user should hear that instead.
 */

/** Top-level box types an MP4/MOV file starts with (ISO/IEC 14496-12; QuickTime's wide, mdat). */
const FIRST_BOXES = new Set(['ftyp', 'styp', 'wide', 'free', 'skip', 'mdat', 'moov', 'pnot']);
/** More top-level boxes than any muxer writes: past this the walk gives up (not an MP4). */
const MAX_BOXES = 10_000;

const fourCC = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 4));

/**
 * Whether `file` is an MP4/MOV whose top-level boxes are intact up to one whose size runs past the
 * file's end: it was cut short. False for anything else (whole files, other formats, noise).
 */
export async function mp4EndsInsideABox(file: Blob): Promise<boolean> {
  let pos = 0;
  for (let n = 0; n < MAX_BOXES && pos + 8 <= file.size; n++) {
    const head = new Uint8Array(await file.slice(pos, pos + 16).arrayBuffer());
    const view = new DataView(head.buffer);
    const type = fourCC(head, 4);
    if (!/^[\x20-\x7e]{4}$/.test(type) || (n === 0 && !FIRST_BOXES.has(type))) return false;
    let size = view.getUint32(0);
    if (size === 1) {
      if (head.length < 16) return true;
      size = Number(view.getBigUint64(8));
    } else if (size === 0) {
      return false; // "to the end of the file": nothing says where it should end
    }
    if (size < 8) return false;
    if (pos + size > file.size) return true;
    pos += size;
  }
  return false;
}
