/**
 * Plain types for BitTorrent metainfo (BEP 3, 12, 19, 27, 47, 52) and magnet links (BEP 9).
 *
 * A parsed torrent is a `Metainfo`: plain data, text already decoded from UTF-8, each file with its
 * original path and the sanitised path it is stored under. `infoBytes` keeps the original bencoded `info` dictionary so the info hashes
 * are always those of the bytes that were read.
 */

export type TorrentVersion = 'v1' | 'v2' | 'hybrid';

export interface TorrentFile {
  /**
   * Path components exactly as the torrent gives them (UTF-8 decoded), the torrent's name first for
   * multi-file torrents: `..`, backslashes, empty and over-long components included. For the wire, display
   * and BEP 19 web-seed URLs; never for storage (use `storagePath`).
   */
  path: string[];
  /**
   * The sanitised, collision-free relative path the file is stored under (disk, library, blobs), the
   * name first for multi-file torrents, every component safe (`sanitize.ts`, as libtorrent does).
   */
  storagePath: string[];
  length: number;
  /** Byte offset of the file in the v1 piece space (padding files included). */
  offset: number;
  /** BEP 47 attributes: `p` padding, `x` executable, `h` hidden, `l` symlink. */
  attr: string;
  /** A BEP 47 padding file (zeros that align the next file to a piece boundary). */
  padding: boolean;
  /** BEP 47 symlink target, as path components. */
  symlinkPath?: string[];
  /** v2: SHA-256 root of the file's merkle tree (absent for empty files). */
  piecesRoot?: Uint8Array;
}

/** A file as the parser reads it, before `storagePaths` names where it is stored. */
export type ParsedFile = Omit<TorrentFile, 'storagePath'>;

export interface Metainfo {
  version: TorrentVersion;
  /** v1 info hash (SHA-1 of the info dictionary), lower-case hex; for v2-only torrents the truncated v2 hash. */
  infoHash: string;
  /** v2 info hash (SHA-256 of the info dictionary), lower-case hex, for v2 and hybrid torrents. */
  infoHashV2?: string;
  name: string;
  pieceLength: number;
  /** Total length of the content, padding files excluded. */
  length: number;
  /** Number of pieces. */
  pieceCount: number;
  /** v1 piece hashes, 20 bytes each (empty for v2-only torrents). */
  pieces: Uint8Array;
  /** Files in order; for a single-file torrent one file whose path is `[name]`. */
  files: TorrentFile[];
  /** True when the torrent has a `files` list or a v2 directory (content lives in a folder `name`). */
  multiFile: boolean;
  private: boolean;
  /** Tracker tiers (BEP 12); a lone `announce` becomes one tier. */
  announce: string[][];
  /** BEP 19 web seeds. */
  urlList: string[];
  comment?: string;
  createdBy?: string;
  creationDate?: number;
  /** BEP 52 piece layers, by pieces root (hex): the concatenated piece-level hashes. */
  pieceLayers: Map<string, Uint8Array>;
  /** The original bencoded `info` dictionary. */
  infoBytes: Uint8Array;
}

export interface MagnetLink {
  /** v1 info hash, lower-case hex. */
  infoHash?: string;
  /** v2 info hash (SHA-256), lower-case hex. */
  infoHashV2?: string;
  /** `dn`: display name. */
  name?: string;
  /** `tr`: trackers, in order. */
  trackers: string[];
  /** `ws`: web seeds. */
  webSeeds: string[];
  /** `xl`: exact length in bytes. */
  length?: number;
  /** `x.pe`: peer addresses (`host:port`). */
  peers: string[];
  /** `xs`: URLs of the `.torrent` itself (exact sources; absent when the link names none). */
  sources?: string[];
}
