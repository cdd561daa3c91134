/**
 * Which file a feed item's `<enclosure>` is, and what else it offers (issue 18): podcast apps get
 * the most compatible playable file, MP3 or AAC for audio and H.264 MP4 for video. That is the
 * original when it plays everywhere, else the best derivative the site made (the item's
 * `ItemMediaView`; without one, the original as before). Every other playable file (the original,
 * other renditions) becomes a `podcast:alternateEnclosure` with its HTTP URL, the derivatives
 * torrent and magnet as sources, and its SHA-384 as `podcast:integrity` when known.
 */

import type { DerivativeJson, ItemMediaView } from '../media/index.js';
import type { FeedFile } from './entry.js';

/** Types every podcast app plays. */
const AUDIO_EVERYWHERE = new Set(['audio/mpeg', 'audio/mp3', 'audio/mp4', 'audio/x-m4a', 'audio/aac']);
const VIDEO_EVERYWHERE = new Set(['video/mp4']);
const TORRENT_TYPE = 'application/x-bittorrent';

export interface AlternateSource {
  uri: string;
  contentType?: string;
}

export interface FeedAlternate {
  type: string;
  length: number;
  title: string;
  bitrate?: number;
  height?: number;
  /** This is the same file as the enclosure. */
  isDefault?: boolean;
  sources: AlternateSource[];
  /** `sha384-<base64>` (or `sha256-`), when known. */
  integrity?: string;
}

const playable = (d: DerivativeJson) => d.kind === 'audio' || d.kind === 'video';

/** The derivative podcast apps should get for an item of `mediaType`, best first; undefined when none. */
export function bestDerivative(
  mediaType: string,
  view: ItemMediaView | undefined,
): DerivativeJson | undefined {
  const list = (view?.derivatives ?? []).filter(playable);
  if (mediaType === 'audio')
    return list
      .filter((d) => d.kind === 'audio' && AUDIO_EVERYWHERE.has(d.mime))
      .sort((a, b) => (b.bitrate ?? 0) - (a.bitrate ?? 0))[0];
  if (mediaType === 'video')
    return list
      .filter((d) => d.kind === 'video' && VIDEO_EVERYWHERE.has(d.mime))
      .sort((a, b) => (b.height ?? 0) - (a.height ?? 0) || (b.bitrate ?? 0) - (a.bitrate ?? 0))[0];
  return undefined;
}

/**
 * True when the original plays everywhere: an MP3/AAC audio file, or an MP4 video the site did not
 * have to remake at its own size (a rendition at least as tall as the item means the original's
 * codecs do not play everywhere; lower rungs alone do not).
 */
export function originalPlaysEverywhere(
  original: FeedFile,
  item: { mediaType: string; height: number | null },
  view: ItemMediaView | undefined,
): boolean {
  if (item.mediaType === 'audio') return AUDIO_EVERYWHERE.has(original.type);
  if (item.mediaType !== 'video') return true;
  if (!VIDEO_EVERYWHERE.has(original.type)) return false;
  const videos = (view?.derivatives ?? []).filter((d) => d.kind === 'video');
  if (videos.length === 0) return true;
  if (item.height === null) return false;
  return !videos.some((d) => (d.height ?? 0) >= item.height!);
}

/** A derivative as a feed file. */
export function derivativeFile(d: DerivativeJson): FeedFile {
  return {
    url: d.url,
    type: d.mime,
    length: d.length,
    path: decodeURIComponent(new URL(d.url).pathname.split('/').pop() ?? ''),
    sha256: null,
    integrity: d.integrity ?? null,
  };
}

/** The derivative's alternate: its URL, the derivatives torrent and magnet, its integrity. */
export function derivativeAlternate(d: DerivativeJson, isDefault: boolean): FeedAlternate {
  return {
    type: d.mime,
    length: d.length,
    title: d.label,
    ...(d.bitrate ? { bitrate: d.bitrate } : {}),
    ...(d.height ? { height: d.height } : {}),
    ...(isDefault ? { isDefault } : {}),
    sources: [
      { uri: d.url },
      ...(d.torrentUrl ? [{ uri: d.torrentUrl, contentType: TORRENT_TYPE }] : []),
      ...(d.magnet ? [{ uri: d.magnet }] : []),
    ],
    ...(d.integrity ? { integrity: d.integrity } : {}),
  };
}

/** Every playable derivative but `chosen`, then `chosen` marked as the enclosure's twin. */
export function derivativeAlternates(
  view: ItemMediaView | undefined,
  chosen: DerivativeJson | undefined,
): FeedAlternate[] {
  const list = (view?.derivatives ?? []).filter(playable);
  return [
    ...(chosen ? [derivativeAlternate(chosen, true)] : []),
    ...list.filter((d) => d !== chosen).map((d) => derivativeAlternate(d, false)),
  ];
}
