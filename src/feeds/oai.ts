/**
 * An OAI-PMH 2.0 data provider (http://www.openarchives.org/OAI/openarchivesprotocol.html) over the
 * site's ready items, for archives that harvest: Identify, ListMetadataFormats, ListSets (one set
 * per channel, its slug as `setSpec`), ListIdentifiers, ListRecords and GetRecord in `oai_dc`
 * (unqualified Dublin Core), selective harvesting by `from`/`until` (day or second granularity, on
 * the item's last change) and `set`, and paging by `resumptionToken`. Wrong requests get the
 * protocol's error codes: badVerb, badArgument, badResumptionToken, cannotDisseminateFormat,
 * idDoesNotExist, noRecordsMatch, noMetadataFormats. Identifiers are `oai:<host>:<item id>`.
 * Transport-free: `handle` takes the request's arguments and answers the XML document.
 */

import type { Channel, Item, ItemFilter } from '../catalog/index.js';
import { declaredDc, type FeedEntry } from './entry.js';
import { el, renderXml, type XmlChild, type XmlOut } from './xml-write.js';

export interface OaiSource {
  /** Items in ascending id order (filter: ready, window, channel, cursor, limit). */
  list(filter: ItemFilter): Promise<Item[]>;
  get(id: number): Promise<Item | undefined>;
  channels(): Promise<Channel[]>;
  /** Turns catalog items into entries (owner names, channels, links). */
  entries(items: Item[]): Promise<FeedEntry[]>;
}

export interface OaiOptions {
  /** The OAI-PMH base URL (`https://site/oai`). */
  baseUrl: string;
  repositoryName: string;
  adminEmail: string;
  /** Records per page (default 100). */
  pageSize?: number;
  now?: () => number;
}

type Args = Record<string, string | string[] | undefined>;

const OAI_NS = 'http://www.openarchives.org/OAI/2.0/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const OAI_DC_NS = 'http://www.openarchives.org/OAI/2.0/oai_dc/';
const DC_NS = 'http://purl.org/dc/elements/1.1/';

const VERBS: Record<string, { required: string[]; optional: string[]; exclusive?: string }> = {
  Identify: { required: [], optional: [] },
  ListMetadataFormats: { required: [], optional: ['identifier'] },
  ListSets: { required: [], optional: [], exclusive: 'resumptionToken' },
  ListIdentifiers: {
    required: ['metadataPrefix'],
    optional: ['from', 'until', 'set'],
    exclusive: 'resumptionToken',
  },
  ListRecords: {
    required: ['metadataPrefix'],
    optional: ['from', 'until', 'set'],
    exclusive: 'resumptionToken',
  },
  GetRecord: { required: ['identifier', 'metadataPrefix'], optional: [] },
};

class OaiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Seconds granularity, as OAI-PMH writes datestamps. */
const stamp = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A `from`/`until` argument as epoch ms (start of its day or second; the end with `end`). */
function parseDate(name: string, value: string, end: boolean): { ms: number; day: boolean } {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  if (!day && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value))
    throw new OaiError('badArgument', `${name}: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ`);
  const ms = Date.parse(day ? `${value}T00:00:00Z` : value);
  if (
    !Number.isFinite(ms) ||
    new Date(ms).toISOString().slice(0, value.length - (day ? 0 : 1)) !== value.replace(/Z$/, '')
  )
    throw new OaiError('badArgument', `${name}: not a real date`);
  return { ms: end ? ms + (day ? 86_400_000 : 1000) - 1 : ms, day };
}

interface Cursor {
  /** metadataPrefix */
  m: string;
  f?: string;
  u?: string;
  s?: string;
  /** last id sent */
  a: number;
  /** records sent before this page */
  c: number;
}

const encodeToken = (c: Cursor) => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');

function decodeToken(token: string): Cursor {
  try {
    if (!/^[A-Za-z0-9_-]{1,2000}$/.test(token)) throw new Error('shape');
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    const optional = (v: unknown) => v === undefined || typeof v === 'string';
    if (
      typeof c !== 'object' ||
      c === null ||
      c.m !== 'oai_dc' ||
      !Number.isSafeInteger(c.a) ||
      !Number.isSafeInteger(c.c) ||
      !optional(c.f) ||
      !optional(c.u) ||
      !optional(c.s)
    )
      throw new Error('fields');
    return c;
  } catch {
    throw new OaiError('badResumptionToken', 'the resumptionToken is invalid or expired');
  }
}

/** DCMI Type vocabulary for an item's kind. */
const DC_TYPE: Record<Item['mediaType'], string> = {
  video: 'MovingImage',
  audio: 'Sound',
  image: 'StillImage',
  text: 'Text',
  software: 'Software',
  other: 'PhysicalObject',
};

export class OaiProvider {
  private readonly host: string;

  constructor(
    private readonly source: OaiSource,
    private readonly options: OaiOptions,
  ) {
    this.host = new URL(options.baseUrl).hostname;
  }

  identifier(id: number): string {
    return `oai:${this.host}:${id}`;
  }

  private idFrom(identifier: string): number | null {
    const prefix = `oai:${this.host}:`;
    if (!identifier.startsWith(prefix)) return null;
    const rest = identifier.slice(prefix.length);
    return /^[1-9][0-9]{0,15}$/.test(rest) && Number.isSafeInteger(Number(rest)) ? Number(rest) : null;
  }

  /** Answers one request; `args` are the query (GET) or form (POST) arguments. Never throws for bad input. */
  async handle(args: Args): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    const verbArg = args.verb;
    const verb = typeof verbArg === 'string' && Object.hasOwn(VERBS, verbArg) ? verbArg : null;
    try {
      if (!verb)
        throw new OaiError('badVerb', verbArg === undefined ? 'verb: required' : 'verb: illegal or repeated');
      const values = this.checkArgs(verb, args);
      const body = await this.answer(verb, values);
      return this.envelope(now, values, verb, body);
    } catch (err) {
      if (!(err instanceof OaiError)) throw err;
      // The request element repeats the arguments only when they were legal.
      const echo =
        err.code === 'badVerb' || err.code === 'badArgument' ? null : verb ? this.legal(args) : null;
      return this.envelope(now, echo, verb, el('error', { code: err.code }, err.message));
    }
  }

  private legal(args: Args): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(args)) if (typeof v === 'string') out[k] = v;
    return out;
  }

  private checkArgs(verb: string, args: Args): Record<string, string> {
    const spec = VERBS[verb]!;
    const out: Record<string, string> = { verb };
    for (const [k, v] of Object.entries(args)) {
      if (k === 'verb' || v === undefined) continue;
      if (Array.isArray(v)) throw new OaiError('badArgument', `${k}: repeated`);
      if (![...spec.required, ...spec.optional, spec.exclusive].includes(k))
        throw new OaiError('badArgument', `${k}: not an argument of ${verb}`);
      out[k] = v;
    }
    if (spec.exclusive && out[spec.exclusive] !== undefined) {
      if (Object.keys(out).length > 2) throw new OaiError('badArgument', `${spec.exclusive} is exclusive`);
      return out;
    }
    for (const r of spec.required)
      if (out[r] === undefined) throw new OaiError('badArgument', `${r}: required`);
    return out;
  }

  private envelope(
    now: number,
    request: Record<string, string> | null,
    _verb: string | null,
    body: XmlOut,
  ): string {
    return renderXml(
      el(
        'OAI-PMH',
        {
          xmlns: OAI_NS,
          'xmlns:xsi': XSI,
          'xsi:schemaLocation': `${OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd`,
        },
        el('responseDate', {}, stamp(now)),
        el('request', request ?? {}, this.options.baseUrl),
        body,
      ),
    );
  }

  private async answer(verb: string, a: Record<string, string>): Promise<XmlOut> {
    switch (verb) {
      case 'Identify':
        return this.identify();
      case 'ListMetadataFormats':
        if (a.identifier !== undefined) await this.itemOrFail(a.identifier);
        return el(
          'ListMetadataFormats',
          {},
          el(
            'metadataFormat',
            {},
            el('metadataPrefix', {}, 'oai_dc'),
            el('schema', {}, 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd'),
            el('metadataNamespace', {}, OAI_DC_NS),
          ),
        );
      case 'ListSets': {
        if (a.resumptionToken !== undefined)
          throw new OaiError('badResumptionToken', 'ListSets is never paged');
        const channels = await this.source.channels();
        if (channels.length === 0) throw new OaiError('noSetHierarchy', 'this site has no channels');
        return el(
          'ListSets',
          {},
          channels.map((c) =>
            el(
              'set',
              {},
              el('setSpec', {}, c.slug),
              el('setName', {}, c.title),
              c.description ? el('setDescription', {}, this.dc({ description: [c.description] })) : null,
            ),
          ),
        );
      }
      case 'GetRecord': {
        if (a.metadataPrefix !== 'oai_dc')
          throw new OaiError('cannotDisseminateFormat', `${a.metadataPrefix}: only oai_dc`);
        const item = await this.itemOrFail(a.identifier!);
        const [entry] = await this.source.entries([item]);
        return el('GetRecord', {}, this.record(item, entry!, await this.slugs()));
      }
      default:
        return this.list(verb, a);
    }
  }

  private async identify(): Promise<XmlOut> {
    const [first] = await this.source.list({ order: 'oldest', limit: 1 });
    return el(
      'Identify',
      {},
      el('repositoryName', {}, this.options.repositoryName),
      el('baseURL', {}, this.options.baseUrl),
      el('protocolVersion', {}, '2.0'),
      el('adminEmail', {}, this.options.adminEmail),
      el('earliestDatestamp', {}, stamp(first ? Math.min(first.createdAt, first.updatedAt) : 0)),
      el('deletedRecord', {}, 'no'),
      el('granularity', {}, 'YYYY-MM-DDThh:mm:ssZ'),
    );
  }

  private async itemOrFail(identifier: string): Promise<Item> {
    const id = this.idFrom(identifier);
    const item = id === null ? undefined : await this.source.get(id);
    if (item?.status !== 'ready') throw new OaiError('idDoesNotExist', `${identifier}: no such item`);
    return item;
  }

  private async list(verb: string, a: Record<string, string>): Promise<XmlOut> {
    let cursor: Cursor;
    if (a.resumptionToken !== undefined) cursor = decodeToken(a.resumptionToken);
    else {
      if (a.metadataPrefix !== 'oai_dc')
        throw new OaiError('cannotDisseminateFormat', `${a.metadataPrefix}: only oai_dc`);
      cursor = { m: 'oai_dc', a: 0, c: 0 };
      if (a.from !== undefined) cursor.f = a.from;
      if (a.until !== undefined) cursor.u = a.until;
      if (a.set !== undefined) cursor.s = a.set;
    }
    const from = cursor.f !== undefined ? parseDate('from', cursor.f, false) : undefined;
    const until = cursor.u !== undefined ? parseDate('until', cursor.u, true) : undefined;
    if (from && until && from.day !== until.day)
      throw new OaiError('badArgument', 'from and until must have the same granularity');
    if (from && until && from.ms > until.ms) throw new OaiError('badArgument', 'from is after until');
    let channelId: number | undefined;
    const channels = await this.source.channels();
    const slugs = new Map(channels.map((c) => [c.id, c.slug]));
    if (cursor.s !== undefined) {
      if (channels.length === 0) throw new OaiError('noSetHierarchy', 'this site has no channels');
      const channel = channels.find((c) => c.slug === cursor.s);
      if (!channel) throw new OaiError('noRecordsMatch', `no set "${cursor.s}"`);
      channelId = channel.id;
    }
    const pageSize = this.options.pageSize ?? 100;
    const filter: ItemFilter = { order: 'oldest', afterId: cursor.a, limit: pageSize + 1 };
    if (from) filter.updatedFrom = from.ms;
    if (until) filter.updatedUntil = until.ms;
    if (channelId !== undefined) filter.channelId = channelId;
    const found = await this.source.list(filter);
    if (found.length === 0) {
      if (a.resumptionToken !== undefined)
        throw new OaiError('badResumptionToken', 'nothing left to harvest');
      throw new OaiError('noRecordsMatch', 'no items match');
    }
    const page = found.slice(0, pageSize);
    const more = found.length > pageSize;
    const entries = verb === 'ListRecords' ? await this.source.entries(page) : [];
    const rows: XmlChild[] = page.map((item, i) =>
      verb === 'ListRecords' ? this.record(item, entries[i]!, slugs) : this.header(item, slugs),
    );
    let token: XmlOut | null = null;
    if (more) {
      const next: Cursor = { ...cursor, a: page[page.length - 1]!.id, c: cursor.c + page.length };
      token = el('resumptionToken', { cursor: cursor.c }, encodeToken(next));
    } else if (a.resumptionToken !== undefined) {
      token = el('resumptionToken', { cursor: cursor.c });
    }
    return el(verb, {}, rows, token);
  }

  private async slugs(): Promise<Map<number, string>> {
    return new Map((await this.source.channels()).map((c) => [c.id, c.slug]));
  }

  private header(item: Item, slugs: Map<number, string>): XmlOut {
    return el(
      'header',
      {},
      el('identifier', {}, this.identifier(item.id)),
      el('datestamp', {}, stamp(item.updatedAt)),
      item.channelId !== null && slugs.has(item.channelId)
        ? el('setSpec', {}, slugs.get(item.channelId)!)
        : null,
    );
  }

  private record(item: Item, e: FeedEntry, slugs: Map<number, string>): XmlOut {
    return el(
      'record',
      {},
      this.header(item, slugs),
      el(
        'metadata',
        {},
        this.dc(
          declaredDc(e, {
            title: [e.title],
            creator: [e.author],
            subject: e.tags,
            description: e.description ? [e.description] : [],
            publisher: [this.options.repositoryName],
            date: [item.date ?? e.published.toISOString().slice(0, 10)],
            type: [DC_TYPE[item.mediaType]],
            format: e.media ? [e.media.type] : [],
            identifier: [e.link, ...(e.magnet ? [e.magnet] : [])],
            relation: e.torrent ? [e.torrent.url] : [],
            language: item.language ? [item.language] : [],
            rights: e.license ? [e.license.url] : [],
          }),
        ),
      ),
    );
  }

  private dc(fields: Record<string, string[]>): XmlOut {
    return el(
      'oai_dc:dc',
      {
        'xmlns:oai_dc': OAI_DC_NS,
        'xmlns:dc': DC_NS,
        'xmlns:xsi': XSI,
        'xsi:schemaLocation': `${OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd`,
      },
      Object.entries(fields).flatMap(([k, vs]) => vs.map((v) => el(`dc:${k}`, {}, v))),
    );
  }
}
