/**
 * What the item page's player offers, worked out from the item and its media view (no I/O): the
 * sources of a `<video>`/`<audio>` best first (the derivatives of the item's kind, highest rung
 * first, then the original), each with a content type that names its codecs where they are known,
 * the poster, the web-size image, the PDF's first page, and how to name the original's format in the
 * "cannot play" message. The browser script (`src/web/player/sources.ts`) picks the first source
 * `canPlayType` accepts.
 */

import type { Item, ItemFile } from '../../catalog/index.js';
import type { DerivativeJson, ItemMediaView } from '../../media/index.js';

export interface PlayerSource {
  url: string;
  /** The content type for `<source type>`, with `codecs=` when known. */
  type: string;
  /** Menu label: `1080p`, `720p`, `mp3`..., or `original`. */
  label: string;
  /** `original` for the uploaded file, else the derivative's kind. */
  origin: 'original' | 'derivative';
}

export interface PlayerPlan {
  sources: PlayerSource[];
  poster?: string;
  /** The web-size image of an image item. */
  image?: string;
  /** The first page of a PDF, as an image. */
  page?: string;
  /** An audio item's waveform picture. */
  waveform?: string;
}

/**
 * The codecs the site's derivatives are made with (`src/media`: H.264 High and AAC-LC in MP4, MP3),
 * for a derivative whose MIME type does not already say them.
 */
export function sourceType(d: Pick<DerivativeJson, 'kind' | 'mime'>): string {
  const mime = d.mime.trim();
  if (/codecs\s*=/i.test(mime)) return mime;
  const base = mime.toLowerCase();
  if (d.kind === 'video' && base === 'video/mp4') return 'video/mp4; codecs="avc1.640028, mp4a.40.2"';
  if (d.kind === 'audio' && (base === 'audio/mp4' || base === 'audio/aac'))
    return 'audio/mp4; codecs="mp4a.40.2"';
  if (d.kind === 'audio' && base === 'audio/mpeg') return 'audio/mpeg';
  return mime;
}

function rank(d: DerivativeJson): number {
  return (d.height ?? 0) * 1e9 + (d.bitrate ?? 0);
}

/** The sources of a video or audio item, best first; the original always comes last. */
export function mediaSources(
  item: Pick<Item, 'mediaType'>,
  original: { url: string; file: Pick<ItemFile, 'mimeType' | 'path'> } | undefined,
  view?: ItemMediaView,
): PlayerSource[] {
  const kind = item.mediaType === 'video' ? 'video' : item.mediaType === 'audio' ? 'audio' : undefined;
  if (!kind) return [];
  const derived = (view?.derivatives ?? [])
    .filter((d) => d.kind === kind)
    .sort((a, b) => rank(b) - rank(a))
    .map(
      (d): PlayerSource => ({
        url: d.url,
        type: sourceType(d),
        label: d.label || (d.height ? `${d.height}p` : d.kind),
        origin: 'derivative',
      }),
    );
  if (!original) return derived;
  const type = original.file.mimeType ?? 'application/octet-stream';
  return [...derived, { url: original.url, type, label: 'original', origin: 'original' }];
}

/** The player's sources and pictures for an item. */
export function playerPlan(
  item: Item,
  original: { url: string; file: ItemFile } | undefined,
  options: { view?: ItemMediaView; thumbnailUrl?: string } = {},
): PlayerPlan {
  const derivatives = options.view?.derivatives ?? [];
  const first = (kind: DerivativeJson['kind']) => derivatives.find((d) => d.kind === kind)?.url;
  const plan: PlayerPlan = { sources: mediaSources(item, original, options.view) };
  const poster = first('poster') ?? options.thumbnailUrl;
  if (poster) plan.poster = poster;
  const image = first('image');
  if (image) plan.image = image;
  const page = first('page');
  if (page) plan.page = page;
  const waveform = first('waveform');
  if (waveform) plan.waveform = waveform;
  return plan;
}

const FORMATS: Record<string, string> = {
  avi: 'AVI video',
  mkv: 'Matroska (MKV) video',
  mov: 'QuickTime (MOV) video',
  mp4: 'MP4 video',
  m4v: 'MP4 video',
  webm: 'WebM video',
  ogv: 'Ogg video',
  mpg: 'MPEG video',
  mpeg: 'MPEG video',
  ts: 'MPEG transport stream',
  wmv: 'Windows Media video',
  flv: 'Flash video',
  '3gp': '3GP video',
  wav: 'WAV audio',
  flac: 'FLAC audio',
  aiff: 'AIFF audio',
  aif: 'AIFF audio',
  wma: 'Windows Media audio',
  mp3: 'MP3 audio',
  m4a: 'AAC audio',
  aac: 'AAC audio',
  ogg: 'Ogg audio',
  opus: 'Opus audio',
  pdf: 'PDF document',
  epub: 'EPUB book',
  zip: 'ZIP archive',
  tif: 'TIFF image',
  tiff: 'TIFF image',
  heic: 'HEIC image',
  bmp: 'BMP image',
};

/** The format of a file, as people name it: "AVI video", "PDF document", "BIN file". */
export function formatName(path: string): string {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(path)?.[1]?.toLowerCase();
  if (!ext) return 'file';
  return FORMATS[ext] ?? `${ext.toUpperCase()} file`;
}
