/** `seedcast info`: describes a `.torrent` file or a magnet link, for people or (`--json`) for scripts. */

import { SeedcastError } from '../errors.js';
import {
  formatMagnet,
  type Metainfo,
  magnetFromMetainfo,
  parseMagnet,
  pathDiffers,
} from '../torrent/index.js';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { formatBytes } from './progress.js';
import { readTorrentFile } from './torrent-input.js';

export const info: Command = {
  help: `Usage: seedcast info <torrent-file | magnet> [--json]

Describes a torrent: its info hashes (v1 and v2), name, size, pieces, files, trackers and web seeds.
A file whose path is odd (\`..\`, backslashes, empty or over-long names, duplicates) is shown with the
name it is stored under ("stored as"), the way libtorrent sanitises it.

Options:
  --json       print one JSON object:
               { "infoHash", "infoHashV2"?, "name", "length", "pieceLength", "pieces", "private",
                 "files": [{ "path", "length", "storedAs"? }], "announce": [[...]], "urlList": [...] }
               (padding files are left out of "files"; "path" is the torrent's own, "storedAs" the
               sanitised path the file is saved under, given only where it differs; a magnet link
               gives what it knows and null for the rest)
  -h, --help   show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, { json: { type: 'boolean' } });
    const [input, ...extra] = args.positionals;
    if (input === undefined) throw new SeedcastError('USAGE', 'give a .torrent file or a magnet link');
    if (extra.length > 0) throw new SeedcastError('USAGE', `unexpected argument "${extra[0]}"`);
    const json = args.values.json === true;
    const description = /^magnet:/i.test(input)
      ? describeMagnet(input)
      : describeTorrent(await readTorrentFile(input));
    process.stdout.write(json ? `${JSON.stringify(description, null, 2)}\n` : humanReadable(description));
    return 0;
  },
};

interface Description {
  infoHash: string | null;
  infoHashV2?: string;
  name: string | null;
  length: number | null;
  pieceLength: number | null;
  pieces: number | null;
  private: boolean | null;
  files: { path: string; length: number; storedAs?: string }[];
  announce: string[][];
  urlList: string[];
  version?: string;
  magnet: string;
  comment?: string;
  createdBy?: string;
  creationDate?: number;
}

function describeTorrent(meta: Metainfo): Description {
  const d: Description = {
    infoHash: meta.version === 'v2' ? null : meta.infoHash,
    name: meta.name,
    length: meta.length,
    pieceLength: meta.pieceLength,
    pieces: meta.pieceCount,
    private: meta.private,
    files: meta.files
      .filter((f) => !f.padding)
      .map((f) => ({
        path: f.path.join('/'),
        length: f.length,
        ...(pathDiffers(f) ? { storedAs: f.storagePath.join('/') } : {}),
      })),
    announce: meta.announce,
    urlList: meta.urlList,
    version: meta.version,
    magnet: formatMagnet(magnetFromMetainfo(meta)),
  };
  if (meta.infoHashV2) d.infoHashV2 = meta.infoHashV2;
  if (meta.comment !== undefined) d.comment = meta.comment;
  if (meta.createdBy !== undefined) d.createdBy = meta.createdBy;
  if (meta.creationDate !== undefined) d.creationDate = meta.creationDate;
  return d;
}

function describeMagnet(text: string): Description {
  const link = parseMagnet(text);
  const d: Description = {
    infoHash: link.infoHash ?? null,
    name: link.name ?? null,
    length: link.length ?? null,
    pieceLength: null,
    pieces: null,
    private: null,
    files: [],
    announce: link.trackers.map((t) => [t]),
    urlList: link.webSeeds,
    magnet: formatMagnet(link),
  };
  if (link.infoHashV2) d.infoHashV2 = link.infoHashV2;
  return d;
}

function size(n: number): string {
  return n < 1024 ? `${n} B` : `${formatBytes(n)} (${n} bytes)`;
}

/** Text safe for a terminal: control characters (escape sequences!) shown as JSON escapes. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we escape
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? JSON.stringify(text) : text;
}

function humanReadable(d: Description): string {
  const lines: string[] = [];
  lines.push(`Name:          ${d.name ?? '(unknown)'}`);
  if (d.version) lines.push(`Version:       ${d.version}`);
  if (d.infoHash) lines.push(`Info hash:     ${d.infoHash}`);
  if (d.infoHashV2) lines.push(`Info hash v2:  ${d.infoHashV2}`);
  if (d.length !== null) lines.push(`Size:          ${size(d.length)}`);
  if (d.pieceLength !== null) lines.push(`Pieces:        ${d.pieces} x ${size(d.pieceLength)}`);
  if (d.private !== null) lines.push(`Private:       ${d.private ? 'yes' : 'no'}`);
  if (d.comment) lines.push(`Comment:       ${d.comment}`);
  if (d.createdBy) lines.push(`Created by:    ${d.createdBy}`);
  if (d.creationDate) lines.push(`Created on:    ${new Date(d.creationDate * 1000).toISOString()}`);
  lines.push(`Magnet:        ${d.magnet}`);
  if (d.announce.length > 0) {
    lines.push('Trackers:');
    d.announce.forEach((tier, i) => {
      for (const url of tier) lines.push(`  [tier ${i}] ${url}`);
    });
  }
  if (d.urlList.length > 0) {
    lines.push('Web seeds:');
    for (const url of d.urlList) lines.push(`  ${url}`);
  }
  if (d.files.length > 0) {
    lines.push(`Files (${d.files.length}):`);
    for (const f of d.files) {
      lines.push(`  ${printable(f.path)} (${size(f.length)})`);
      if (f.storedAs !== undefined) lines.push(`    stored as: ${printable(f.storedAs)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
