/**
 * What the aggregator should fetch for an item: the swarm when the item offers it (a `.torrent` from an
 * `<enclosure>`, a `podcast:alternateEnclosure` source, Media RSS `media:content` or `media:peerLink`, an
 * Atom or JSON Feed attachment; or a magnet link, BEP 9), with the HTTP(S) media file as the fallback, and
 * the length the feed promised for the media (the HTTP enclosure's, an alternateEnclosure's, or a magnet
 * link's `xl`).
 */

import type { Enclosure, FeedItem } from './types.js';

export interface EnclosureChoice {
  /** The HTTP(S) media file: the fallback when a swarm is offered, the only way otherwise. */
  media?: Enclosure;
  /** URL of the `.torrent` file. */
  torrent?: string;
  magnet?: string;
  /** Bytes the media should have, when the feed says. */
  length?: number;
  /** 'swarm' when a torrent or magnet is offered, 'http' when only the media file is, 'none' otherwise. */
  prefer: 'swarm' | 'http' | 'none';
}

const PRIMARY = new Set(['enclosure', 'atom-link', 'json-attachment']);

function pickMedia(http: Enclosure[]): Enclosure | undefined {
  return http.find((e) => PRIMARY.has(e.source)) ?? http.find((e) => e.isDefault) ?? http[0];
}

function magnetLength(magnet: string | undefined): number | undefined {
  const m = magnet ? /[?&]xl=(\d{1,15})(?:&|$)/.exec(magnet) : null;
  return m ? Number(m[1]) : undefined;
}

/** Choose what to fetch for `item`: swarm first, HTTP as the fallback. */
export function chooseEnclosures(item: Pick<FeedItem, 'enclosures'>): EnclosureChoice {
  const media = pickMedia(item.enclosures.filter((e) => e.kind === 'http'));
  const torrent = item.enclosures.find((e) => e.kind === 'torrent');
  const magnet = item.enclosures.find((e) => e.kind === 'magnet');
  const choice: EnclosureChoice = { prefer: torrent || magnet ? 'swarm' : media ? 'http' : 'none' };
  if (media) choice.media = media;
  if (torrent) choice.torrent = torrent.url;
  if (magnet) choice.magnet = magnet.url;
  const length =
    media?.length ??
    item.enclosures.find((e) => e.kind !== 'http' && e.source === 'alternateEnclosure' && e.length)?.length ??
    magnetLength(magnet?.url);
  if (length !== undefined) choice.length = length;
  return choice;
}
