/**
 * What the pages, the API and the feeds show of an item's media work: where its processing stands
 * (from its jobs), its derivatives (web renditions of the original, in their own torrent) and its
 * captions. The API's item carries `processing` and `derivatives` exactly as here (CONTRACT.md).
 */

import type { Item } from '../catalog/index.js';

export type ProcessingState = 'queued' | 'running' | 'done' | 'failed';

export interface Processing {
  state: ProcessingState;
  /** 0..1 while running. */
  progress?: number;
  /** The failed job's error. */
  error?: string;
}

export type DerivativeKind = 'video' | 'audio' | 'image' | 'poster' | 'storyboard' | 'waveform' | 'page';

export interface DerivativeJson {
  kind: DerivativeKind;
  /** Short name for menus: `1080p`, `720p`, `mp3`, `web`, `poster`... */
  label: string;
  mime: string;
  width?: number;
  height?: number;
  /** Bits per second (audio and video). */
  bitrate?: number;
  length: number;
  /** Absolute URL of the file (`/items/:id/derivatives/<file>`), Range-capable. */
  url: string;
  /** The derivatives' torrent (one per item), once made. */
  torrentUrl?: string;
  magnet?: string;
  /** Subresource Integrity form of the SHA-384: `sha384-<base64>`. */
  integrity?: string;
}

export interface ItemMediaView {
  /** Null when the item never had media work queued (e.g. published before jobs existed and done). */
  processing: Processing | null;
  derivatives: DerivativeJson[];
}

/** Reads an item's processing and derivatives (implemented in `processing.ts`). */
export interface ProcessingViews {
  view(item: Item): Promise<ItemMediaView>;
  /** Views of several items at once (lists), by item id. */
  viewMany?(items: readonly Item[]): Promise<Map<number, ItemMediaView>>;
  /** Queues the item's media work (`media.analyze`) and marks it queued (after publishing). */
  enqueue?(itemId: number): Promise<void>;
  /** Cancels the item's jobs and removes its derivatives (delete, takedown). */
  forget?(itemId: number): Promise<void>;
}

export type CaptionKind = 'captions' | 'subtitles';

export interface CaptionView {
  /** BCP 47 tag (`en`, `pt-BR`). */
  language: string;
  label: string;
  kind: CaptionKind;
  /** Absolute URL of the WebVTT file (`/items/:id/captions/<language>.vtt`). */
  url: string;
}

/** An item's captions and chapters (implemented in `captions.ts`). */
export interface CaptionViews {
  captions(itemId: number): Promise<CaptionView[]>;
  /** Absolute URL of the item's chapters JSON, or null when it has none. */
  chaptersUrl(itemId: number): Promise<string | null>;
}
