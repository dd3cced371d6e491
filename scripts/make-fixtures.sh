#!/usr/bin/env bash
# Generates the small movie fixtures used by the ingest tests (static/media/) from lavfi sources
# with native ffmpeg. The outputs are committed; rerun only to change them.
#
# Every video encodes something checkable at each second t: red = (40·⌊t⌋ + 30) mod 256, green rises
# left → right, blue rises top → bottom. The audio is a 440 Hz tone whose amplitude steps each
# second: 0.1 + 0.1·(⌊t⌋ mod 8), so a clip's loudness tells which seconds it holds.
set -euo pipefail
cd "$(dirname "$0")/../static/media"

ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }

pattern() { # size rate seconds
  echo "color=c=black:s=$1:r=$2:d=$3,format=rgb24,geq=r='mod(40*floor(T)+30\,256)':g='255*X/W':b='255*Y/H'"
}
tone() { # seconds rate
  echo "aevalsrc=exprs='(0.1+0.1*mod(floor(t)\,8))*sin(2*PI*440*t)|(0.1+0.1*mod(floor(t)\,8))*sin(2*PI*440*t)':s=$2:d=$1"
}

# H.264 High + AAC in MP4, 65 s at 24 fps: 65 frames, 2 sequences and a dropped remainder.
ff -f lavfi -i "$(pattern 320x180 24 65)" -f lavfi -i "$(tone 65 44100)" \
  -c:v libx264 -preset veryfast -crf 30 -g 48 -pix_fmt yuv420p -c:a aac -b:a 24k -ac 2 \
  -movflags +faststart -shortest h264-aac.mp4

# The same H.264 High + AAC in Matroska (MKV), 65 s at 24 fps: the WebCodecs path's MKV demuxer.
ff -f lavfi -i "$(pattern 320x180 24 65)" -f lavfi -i "$(tone 65 44100)" \
  -c:v libx264 -preset veryfast -crf 30 -g 48 -pix_fmt yuv420p -c:a aac -b:a 24k -ac 2 \
  -shortest mkv-h264-aac.mkv

# VP9 + Opus in WebM, 34 s at 25 fps.
ff -f lavfi -i "$(pattern 320x180 25 34)" -f lavfi -i "$(tone 34 48000)" \
  -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -crf 55 -b:v 30k -g 50 -pix_fmt yuv420p \
  -c:a libopus -b:a 24k -shortest vp9-opus.webm

# VP9 + Opus in MP4 and AV1 + AAC in MP4, 32 s at 24 fps: the WebCodecs path's other codecs.
ff -f lavfi -i "$(pattern 320x180 24 32)" -f lavfi -i "$(tone 32 48000)" \
  -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -crf 55 -b:v 30k -g 48 -pix_fmt yuv420p \
  -c:a libopus -b:a 24k -movflags +faststart -shortest vp9-in-mp4.mp4
ff -f lavfi -i "$(pattern 320x180 24 32)" -f lavfi -i "$(tone 32 44100)" \
  -c:v libaom-av1 -usage realtime -cpu-used 8 -crf 50 -g 48 -lag-in-frames 0 -pix_fmt yuv420p \
  -c:a aac -b:a 24k -ac 2 \
  -movflags +faststart -shortest av1-aac.mp4

# AV1 by SVT-AV1 (hidden frames; FFmpeg flags its non-reference pictures disposable in sdtp, which
# the WebCodecs path must not take as leave to skip them). ffmpeg.wasm has no software AV1 decoder.
ff -f lavfi -i "$(pattern 320x180 24 32)" \
  -c:v libsvtav1 -preset 12 -crf 50 -g 48 -pix_fmt yuv420p -movflags +faststart svt-av1.mp4

# A 2.39:1 "scope" film, 31 s at 24 fps, no audio.
ff -f lavfi -i "$(pattern 478x200 24 31)" \
  -c:v libx264 -preset veryfast -crf 30 -g 48 -pix_fmt yuv420p scope-239.mp4

# NTSC film rate 24000/1001, 61 s.
ff -f lavfi -i "$(pattern 320x180 24000/1001 61)" -f lavfi -i "$(tone 61 48000)" \
  -c:v libx264 -preset veryfast -crf 30 -g 48 -pix_fmt yuv420p -c:a aac -b:a 24k \
  -shortest ntsc-23976.mp4

# Five minutes (10 sequences) of a small picture: long enough to cancel and resume mid-ingest.
ff -f lavfi -i "$(pattern 160x90 24 300),scale=640:360" \
  -c:v libx264 -preset veryfast -crf 38 -g 240 -pix_fmt yuv420p long-300s.mp4

# Shorter than one sequence.
ff -f lavfi -i "$(pattern 320x180 24 12)" -f lavfi -i "$(tone 12 44100)" \
  -c:v libx264 -preset veryfast -crf 30 -pix_fmt yuv420p -c:a aac -b:a 24k -shortest short-12s.mp4

# Audio only: an MP4 without a video stream.
ff -f lavfi -i "$(tone 35 44100)" -c:a aac -b:a 24k audio-only.mp4

# Truncated: the index (moov, at the front) promises 65 s, the data stops before half of it.
head -c "$(($(stat -c %s h264-aac.mp4) * 2 / 5))" h264-aac.mp4 >truncated.mp4
# The same streams with the index at the end (no faststart), cut as above: the index is gone.
ff -i h264-aac.mp4 -c copy moov-at-end.mp4
head -c "$(($(stat -c %s moov-at-end.mp4) * 2 / 5))" moov-at-end.mp4 >truncated-moov-end.mp4
rm moov-at-end.mp4
# The same for Matroska: the Segment's size promises more than the file holds.
head -c "$(($(stat -c %s mkv-h264-aac.mkv) * 2 / 5))" mkv-h264-aac.mkv >truncated.mkv

# Random bytes named .mp4, and an empty file.
head -c 65536 /dev/urandom >random-bytes.mp4
: >empty.mp4
ls -l
