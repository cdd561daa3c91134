/**
 * Which originals every current browser (Chromium, Firefox, Safari, on desktop and phones) plays as
 * they are, so that no web rendition is needed: H.264 video (8-bit 4:2:0, the Baseline, Main and
 * High profiles) with AAC sound or none, in MP4, M4V or MOV (a QuickTime file whose tracks are
 * H.264/AAC plays when offered as `video/mp4`: `webMimeOf`); MP3; AAC (M4A, MP4 or raw ADTS);
 * Opus in Ogg or WebM; WebM with VP9 (8-bit 4:2:0) and Opus or no sound; JPEG, PNG (APNG), GIF and
 * WebP pictures; and PDF documents (the browser's own viewer). Browsers choose a player by the
 * content type, which the site takes from the extension, so an MKV is never "playable" even when
 * its tracks are. Everything else (AVI, MPEG-4 Part 2, HEVC, AV1, 10-bit video, WAV, FLAC, Vorbis,
 * TIFF, BMP...) gets derivatives.
 */

import { type CodecFacts, isPdf } from './codec-facts.js';

const H264_PROFILES = new Set(['Baseline', 'Constrained Baseline', 'Main', 'High']);
const YUV420_8BIT = new Set(['yuv420p', 'yuvj420p']);
const MP4_EXTENSIONS = new Set(['mp4', 'm4v', 'mov']);
const MP4_AUDIO_EXTENSIONS = new Set(['m4a', 'mp4', 'm4b']);
const OGG_EXTENSIONS = new Set(['ogg', 'oga', 'opus']);
const IMAGE_FORMATS: Record<string, string[]> = {
  jpeg_pipe: ['jpg', 'jpeg'],
  png_pipe: ['png'],
  apng: ['png', 'apng'],
  gif: ['gif'],
  gif_pipe: ['gif'],
  webp_pipe: ['webp'],
};

/** True when browsers play (or show) the original as it is. */
export function playsEverywhere(facts: CodecFacts): boolean {
  if (isPdf(facts)) return true;
  if (!facts.probed || facts.container === null) return false;
  const names = facts.container.split(',');
  const ext = facts.extension;
  if (facts.mediaType === 'image') {
    return names.some((n) => IMAGE_FORMATS[n]?.includes(ext));
  }
  if (facts.mediaType === 'video') {
    if (!facts.hasVideo) return false;
    if (names.includes('mp4') && MP4_EXTENSIONS.has(ext)) {
      return isWebH264(facts) && (!facts.hasAudio || facts.audioCodec === 'aac');
    }
    if (names.includes('webm') && ext === 'webm') {
      return (
        facts.videoCodec === 'vp9' && isYuv420_8(facts) && (!facts.hasAudio || facts.audioCodec === 'opus')
      );
    }
    return false;
  }
  if (facts.mediaType === 'audio') {
    const codec = facts.audioCodec;
    if (names.includes('mp3')) return codec === 'mp3' && ext === 'mp3';
    if (names.includes('aac')) return codec === 'aac' && ext === 'aac';
    if (names.includes('mp4')) return codec === 'aac' && MP4_AUDIO_EXTENSIONS.has(ext);
    if (names.includes('ogg')) return codec === 'opus' && OGG_EXTENSIONS.has(ext);
    if (names.includes('webm')) return codec === 'opus' && ext === 'webm';
    return false;
  }
  return false;
}

/**
 * The content type to offer a playable original under in a `<source type>`: the extension's, except
 * a QuickTime movie (`video/quicktime`, which Chromium's `canPlayType` refuses) that plays as MP4.
 */
export function webMimeOf(facts: CodecFacts): string | null {
  if (facts.extension === 'mov' && facts.mediaType === 'video' && playsEverywhere(facts)) return 'video/mp4';
  return facts.mimeType;
}

/** H.264 that every browser decodes: 8-bit 4:2:0 in a profile up to High. */
export function isWebH264(facts: CodecFacts): boolean {
  return (
    facts.videoCodec === 'h264' &&
    isYuv420_8(facts) &&
    (facts.videoProfile === null || H264_PROFILES.has(facts.videoProfile))
  );
}

function isYuv420_8(facts: CodecFacts): boolean {
  return (
    facts.pixelFormat !== null &&
    YUV420_8BIT.has(facts.pixelFormat) &&
    (facts.bitDepth === null || facts.bitDepth === 8)
  );
}
