/**
 * The item's metadata fields, declared once: for each field its name and database column, its type,
 * limits and rules, whether it is required, its Dublin Core term (DCMI Metadata Terms, and the
 * Dublin Core 1.1 element OAI-PMH's `oai_dc` carries), its elements in the feeds (RSS 2.0 with the
 * iTunes and podcast 1.0 namespaces, Atom RFC 4287, JSON Feed 1.1) and its label and help on the
 * forms. Everything else reads this table: the catalog's checks (`checkItemField`, ITEM_INVALID
 * naming the field) and row mapping (`items-rows.ts`), the API's JSON schemas
 * (`web/schemas/item-fields.ts`, hence OpenAPI), the publish and edit forms, the item page and the
 * feed writers. Adding a field: see docs/item-fields.md. A pure leaf: imports only `errors`.
 *
 * The licence, tags and channel are item metadata too but not simple values (a licence table, a
 * list, a channel owned by the publisher): they keep their own code.
 */

import { SeedcastError } from '../errors.js';

/** An element a feed writes for a field: the value as the element's text, or as its attribute `attr`. */
export interface FeedElement {
  /** Qualified name; its prefix is one of `FEED_NAMESPACES` (none: the format's own element). */
  element: string;
  attr?: string;
}

export interface FeedElements {
  /** Elements of an RSS 2.0 `<item>` (iTunes, podcast namespace, Dublin Core terms...). */
  rss?: readonly FeedElement[];
  /** Elements of an Atom `<entry>`. */
  atom?: readonly FeedElement[];
  /** A JSON Feed item's key, top level or (`extension`) in the site's `_seedcast` object. */
  json?: { key: string; extension?: boolean };
  /**
   * For the fields the feed writers place themselves (with fallbacks, e.g. the owner's name for an
   * empty creator, or the description three ways): what they write. The generic elements above are
   * then left out.
   */
  written?: string;
}

interface FieldCommon {
  /** The name in the API, the forms, the CLI (`--name`) and `Item`. */
  name: string;
  /** The `items` column. */
  column: string;
  required: boolean;
  /** DCMI term (`http://purl.org/dc/terms/<term>`) and the DC 1.1 element (`oai_dc`) it refines. */
  dc: { term: string; element: string } | null;
  feeds: FeedElements;
  form: {
    label: string;
    help?: string;
    /** Shown beside the next (or previous) `pair` field on one row. */
    pair?: boolean;
  };
  /** The API schema's description. */
  api: string;
  /** Shown by the item page's generic details list (core fields have their own places). */
  page?: boolean;
}

export interface TextFieldSpec extends FieldCommon {
  type: 'text';
  /** Characters at most, once trimmed. */
  max: number;
  /** What the API schema and forms admit before `max` is checked (default `max`). */
  inputMax?: number;
  /** Line breaks allowed (other control characters never are). */
  multiline?: boolean;
  /** An empty value is stored as `null` (`'null'`, and the field may be cleared) or as `''`. */
  empty: 'null' | 'empty';
  /** A rule the trimmed, non-empty text must pass, and what to say when it does not. */
  rule?: { test(value: string): boolean; why: string };
}

export interface IntegerFieldSpec extends FieldCommon {
  type: 'integer';
  min: number;
  max: number;
}

export type ItemFieldSpec = TextFieldSpec | IntegerFieldSpec;

/** Namespaces of the prefixed feed elements above (declared by the XML writers that use them). */
export const FEED_NAMESPACES: Readonly<Record<string, string>> = {
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  podcast: 'https://podcastindex.org/namespace/1.0',
  dcterms: 'http://purl.org/dc/terms/',
};

const ISO_DATE = /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Largest `integer` on PostgreSQL. */
const INT_MAX = 2_147_483_647;

export const ITEM_FIELDS = [
  {
    name: 'title',
    column: 'title',
    type: 'text',
    max: 300,
    empty: 'empty',
    required: true,
    dc: { term: 'title', element: 'title' },
    feeds: { written: 'RSS <title>, Atom <title type="text">, JSON Feed title' },
    form: { label: 'Title' },
    api: 'Required, at most 300 characters',
  },
  {
    name: 'description',
    column: 'description',
    type: 'text',
    max: 20_000,
    multiline: true,
    empty: 'empty',
    required: false,
    dc: { term: 'description', element: 'description' },
    feeds: {
      written:
        'Markdown as HTML in RSS content:encoded, Atom <content type="html">, JSON content_html; as text in RSS description and itunes:summary, Atom <summary>, JSON content_text',
    },
    form: {
      label: 'Description',
      help: 'Markdown: **bold**, *italic*, [links](https://example.org/), lists.',
    },
    api: 'Markdown',
  },
  {
    name: 'creator',
    column: 'creator',
    type: 'text',
    max: 300,
    empty: 'empty',
    required: false,
    dc: { term: 'creator', element: 'creator' },
    feeds: {
      written:
        "RSS dc:creator and itunes:author, Atom <author><name>, JSON authors[].name (the owner's name when empty)",
    },
    form: { label: 'Creator', help: 'Who made it.' },
    api: 'Who made it',
  },
  {
    name: 'date',
    column: 'date',
    type: 'text',
    max: 40,
    empty: 'null',
    required: false,
    rule: {
      test: (v: string) => ISO_DATE.test(v) || (ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v))),
      why: 'an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD or a full date and time)',
    },
    dc: { term: 'date', element: 'date' },
    feeds: { written: 'OAI-PMH dc:date (the feeds date entries by publication)' },
    form: { label: 'Date', help: 'YYYY, YYYY-MM, YYYY-MM-DD or a full date and time.', pair: true },
    api: 'YYYY, YYYY-MM or YYYY-MM-DD (or a full date and time)',
  },
  {
    name: 'language',
    column: 'language',
    type: 'text',
    max: 35,
    inputMax: 40,
    empty: 'null',
    required: false,
    rule: {
      test: (v: string) => /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(v),
      why: 'a BCP 47 tag such as "en" or "pt-BR"',
    },
    dc: { term: 'language', element: 'language' },
    feeds: { written: "JSON Feed item language; OAI-PMH dc:language (RSS and Atom carry the feed's)" },
    form: { label: 'Language', help: 'e.g. en, pt-BR.', pair: true },
    api: 'BCP 47 tag (en, pt-BR)',
  },
  {
    // The series (a show, a course...) the item belongs to. Podcast apps have no element for a
    // series name alone (podcast:season's `name` needs a season number): Dublin Core's isPartOf.
    name: 'series',
    column: 'series',
    type: 'text',
    max: 200,
    empty: 'null',
    required: false,
    dc: { term: 'isPartOf', element: 'relation' },
    feeds: {
      rss: [{ element: 'dcterms:isPartOf' }],
      atom: [{ element: 'dcterms:isPartOf' }],
      json: { key: 'series', extension: true },
    },
    form: { label: 'Series', help: 'The show or series it is part of.', pair: true },
    api: 'The series it is part of (a name)',
    page: true,
  },
  {
    name: 'episode',
    column: 'episode',
    type: 'integer',
    min: 1,
    max: INT_MAX,
    required: false,
    dc: null,
    feeds: {
      rss: [{ element: 'itunes:episode' }, { element: 'podcast:episode' }],
      json: { key: 'episode', extension: true },
    },
    form: { label: 'Episode', help: 'Its number in the series: 1, 2, 3...', pair: true },
    api: 'Its episode number (1 or more)',
    page: true,
  },
] as const satisfies readonly ItemFieldSpec[];

type Spec = (typeof ITEM_FIELDS)[number];
export type ItemFieldName = Spec['name'];

type StoredValue<S> = S extends { type: 'integer' }
  ? number | null
  : S extends { empty: 'null' }
    ? string | null
    : string;

/** The declared fields' values, as an `Item` holds them. */
export type ItemFieldValues = { [S in Spec as S['name']]: StoredValue<S> };

/** The declared fields as the catalog takes them (absent: unchanged; null or "" clears a nullable one). */
export type ItemFieldInput = {
  [S in Spec as S['name']]?: S extends { type: 'integer' } ? number | string | null : StoredValue<S>;
};

/** The declared fields as form and multipart text. */
export type ItemFieldText = { [S in Spec as S['name']]?: string };

export const ITEM_FIELD_NAMES: readonly ItemFieldName[] = ITEM_FIELDS.map((f) => f.name);

/** Whether an empty or absent value clears the field to null. */
export function nullable(spec: ItemFieldSpec): boolean {
  return spec.type === 'integer' || spec.empty === 'null';
}

function invalid(field: string, why: string): never {
  throw new SeedcastError('ITEM_INVALID', `${field}: ${why}`);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/**
 * A field's value as stored, or ITEM_INVALID naming it. Text is trimmed, free of control characters
 * and at most `max` characters; integers come as numbers or decimal text.
 */
export function checkItemField(spec: ItemFieldSpec, value: unknown): string | number | null {
  if (nullable(spec) && (value === null || value === undefined)) return null;
  if (spec.type === 'integer') {
    const text = typeof value === 'string' ? value.trim() : undefined;
    if (text === '') return spec.required ? invalid(spec.name, 'required') : null;
    const n = text === undefined ? value : /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < spec.min || n > spec.max)
      invalid(spec.name, `a whole number from ${spec.min} to ${spec.max}`);
    return n;
  }
  if (typeof value !== 'string') invalid(spec.name, 'must be text');
  const trimmed = value.trim();
  if ([...trimmed].length > spec.max) invalid(spec.name, `at most ${spec.max} characters`);
  if (((spec as TextFieldSpec).multiline ? CONTROL_BUT_LINES : CONTROL).test(trimmed))
    invalid(spec.name, 'control characters');
  if (trimmed === '') {
    if (spec.required) invalid(spec.name, 'required');
    return spec.empty === 'null' ? null : '';
  }
  if (spec.rule && !spec.rule.test(trimmed)) invalid(spec.name, spec.rule.why);
  return trimmed;
}

/** The declared field named `name`. */
export function itemField(name: ItemFieldName): ItemFieldSpec {
  return ITEM_FIELDS.find((f) => f.name === name)!;
}

/** The declared fields' values of an item (for the API's and the account export's JSON). */
export function itemFieldValues(item: ItemFieldValues): ItemFieldValues {
  // A loop over the declaration rather than `Object.fromEntries`, which makes a dictionary-mode object.
  const out: Record<string, unknown> = {};
  for (const f of ITEM_FIELDS) out[f.name] = item[f.name];
  return out as ItemFieldValues;
}

/**
 * The catalog's input from form or multipart text: an absent nullable field is null, an absent
 * other one empty (the title stays absent, so a missing title is "required").
 */
export function itemFieldsFromText(fields: ItemFieldText): ItemFieldInput {
  const out: Record<string, string | null> = {};
  for (const f of ITEM_FIELDS) {
    const value = fields[f.name];
    if (value !== undefined) out[f.name] = value;
    else if (!f.required) out[f.name] = nullable(f) ? null : '';
  }
  return out as ItemFieldInput;
}

/** An item's value of a field as text (forms, pages): empty for null. */
export function fieldText(item: ItemFieldValues, name: ItemFieldName): string {
  const value = item[name];
  return value === null ? '' : String(value);
}

/** Every declared field empty (null, or "" for the others): a base for building items by hand (tests). */
export function emptyItemFields(): ItemFieldValues {
  return Object.fromEntries(ITEM_FIELDS.map((f) => [f.name, nullable(f) ? null : ''])) as ItemFieldValues;
}
