/**
 * Describes a movie from its container index alone, as ffprobe would, so that the WebCodecs path
 * need not start ffmpeg.wasm just to probe (1–3 s of CPU per movie). It answers only where every
 * field is certain to equal ffprobe's: H.264 in MP4/MOV or Matroska, a duration in the header
 * (mvhd; Matroska's Info), no audio or AAC-LC/Opus audio whose channel count the codec
 * configuration confirms, and colour (matrix, range) from the SPS's VUI and the container's tags
 * (colr; Matroska's Colour) that do not disagree. Anything else returns null and the caller
 * probes with ffmpeg.wasm as before (which also names the reason for every bad file).
 */
import type { VideoIndex } from './mp4-index';
import type { MediaInfo } from './probe';

/** H.264 colour signalling from an SPS's VUI; null where the SPS says nothing. */
export interface SpsColour {
  matrix: number | null;
  fullRange: boolean | null;
}

/** Reads bits MSB first from an RBSP (emulation-prevention bytes removed). */
class Bits {
  #at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  bit(): number {
    if (this.#at >= this.bytes.length * 8) throw new Error('the SPS ends early');
    const b = (this.bytes[this.#at >> 3] >> (7 - (this.#at & 7))) & 1;
    this.#at++;
    return b;
  }
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new Error('a bad Exp-Golomb code');
    return 2 ** zeros - 1 + this.bits(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

function rbsp(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i]);
  }
  return new Uint8Array(out);
}

/** The colour fields of an H.264 SPS NAL unit (with its header byte), per ITU-T H.264 7.3.2.1. */
export function spsColour(nal: Uint8Array): SpsColour {
  const r = new Bits(rbsp(nal.subarray(1)));
  const profile = r.bits(8);
  r.bits(16); // constraint flags, level
  r.ue(); // seq_parameter_set_id
  if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
    const chroma = r.ue();
    if (chroma === 3) r.bit();
    r.ue(); // bit depths
    r.ue();
    r.bit(); // qpprime_y_zero_transform_bypass
    if (r.bit()) {
      for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
        if (!r.bit()) continue;
        let last = 8;
        let next = 8;
        for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
          if (next !== 0) next = (last + r.se() + 256) % 256;
          last = next === 0 ? last : next;
        }
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.bit();
    r.se();
    r.se();
    const cycle = r.ue();
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.bit(); // gaps_in_frame_num_value_allowed
  r.ue(); // width and height in macroblocks
  r.ue();
  if (!r.bit()) r.bit(); // frame_mbs_only, mb_adaptive_frame_field
  r.bit(); // direct_8x8_inference
  if (r.bit()) for (let i = 0; i < 4; i++) r.ue(); // cropping
  const none: SpsColour = { matrix: null, fullRange: null };
  if (!r.bit()) return none; // no VUI
  if (r.bit() && r.bits(8) === 255) r.bits(32); // aspect ratio (extended SAR)
  if (r.bit()) r.bit(); // overscan
  if (!r.bit()) return none; // no video_signal_type
  r.bits(3); // video_format
  const fullRange = r.bit() === 1;
  if (!r.bit()) return { matrix: null, fullRange };
  r.bits(16); // colour primaries, transfer
  return { matrix: r.bits(8), fullRange };
}

/** The first SPS of an AVCDecoderConfigurationRecord. */
function firstSps(avcC: Uint8Array): Uint8Array | null {
  if (avcC.length < 8 || (avcC[5] & 0x1f) === 0) return null;
  const size = (avcC[6] << 8) | avcC[7];
  return avcC.length >= 8 + size ? avcC.subarray(8, 8 + size) : null;
}

/** Channels by AAC channelConfiguration (1–7); 0 (in the PCE) or anything else is unknown. */
const AAC_CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8];

/** The channel count ffprobe reports for the index's audio, or null when not certain. */
function audioChannels(index: VideoIndex): number | null {
  const audio = index.audio;
  if (!index.container.hasAudio) return 0;
  if (!audio?.description || audio.samples.length === 0) return null;
  const d = audio.description;
  if (audio.codec === 'opus') {
    return d.length >= 19 && d[9] > 0 && d[9] === audio.channels ? d[9] : null;
  }
  // AAC-LC only: SBR/PS (HE-AAC) may decode to another count than the header's. Mono is left to
  // the probe too (an implicit PS extension makes it stereo).
  if (audio.codec !== 'mp4a.40.2' || d.length < 2 || d[0] >> 3 !== 2) return null;
  const rateIndex = ((d[0] & 7) << 1) | (d[1] >> 7);
  if (rateIndex === 15) return null;
  const channels = AAC_CHANNELS[(d[1] >> 3) & 15] ?? 0;
  return channels >= 2 && channels === audio.channels ? channels : null;
}

/** Joins the SPS's value and the container's: null if they disagree (ffprobe's is then unsure). */
function agree<T>(fromSps: T | null, fromContainer: T | null): { value: T | null } | null {
  if (fromSps !== null && fromContainer !== null && fromSps !== fromContainer) return null;
  return { value: fromSps ?? fromContainer };
}

/** What ffprobe would say of this movie, from its index; null wherever that is not certain. */
export function describeFromIndex(index: VideoIndex): MediaInfo | null {
  const facts = index.container;
  if (!/^avc[13]\./.test(index.codec) || !index.description) return null;
  if (facts.durationS === null || !(facts.durationS > 0) || index.samples.length === 0) return null;
  const channels = audioChannels(index);
  if (channels === null) return null;
  const sps = firstSps(index.description);
  if (!sps) return null;
  let vui: SpsColour;
  try {
    vui = spsColour(sps);
  } catch {
    return null;
  }
  const matrix = agree(vui.matrix, facts.matrix);
  const range = agree(vui.fullRange, facts.fullRange);
  if (!matrix || !range) return null;
  return {
    durationS: facts.durationS,
    frameRate: facts.frameRate,
    width: index.width,
    height: index.height,
    videoCodec: 'h264',
    audioCodec: channels === 0 ? null : index.audio!.codec === 'opus' ? 'opus' : 'aac',
    audioChannels: channels,
    container: facts.format,
    colour: { matrix: matrix.value === 1 ? 'bt709' : 'bt601', fullRange: range.value === true },
  };
}
