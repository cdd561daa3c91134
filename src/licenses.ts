/**
 * Licences, in one table: an item's licence is stored as one canonical id, an SPDX license
 * identifier, whatever form it was given in. Accepted input (case-insensitive, trimmed):
 *  - an SPDX id from the table below (`cc0-1.0`, `CC-BY-SA-4.0`, `mit`; the deprecated `GPL-3.0`
 *    and `GPL-3.0+` forms become `GPL-3.0-only` and `GPL-3.0-or-later`), or its page on spdx.org;
 *  - a Creative Commons URL, http or https, with or without `www.`, a trailing slash, `legalcode`
 *    (`.txt`, `.fr`...), `deed.xx` or a query (`?ref=chooser-v1`): the licences BY, BY-SA, BY-ND,
 *    BY-NC, BY-NC-SA, BY-NC-ND in versions 1.0 to 4.0 (BY-NC-ND 1.0 is `by-nd-nc`; SA alone is 1.0
 *    only), CC0 1.0 (`publicdomain/zero/1.0`), the Public Domain Mark 1.0 (`publicdomain/mark/1.0`,
 *    SPDX `CC-PDM-1.0`) and the old public domain certification (`licenses/publicdomain`, `CC-PDDC`).
 *
 * Creative Commons ports (a jurisdiction, `/licenses/by/3.0/us/`; versions 1.0 to 3.0, 2.1 is
 * ports only) keep their jurisdiction: `CC-BY-3.0-US` when SPDX lists that port (`SPDX_PORTS`),
 * else `LicenseRef-CC-BY-3.0-FR` (SPDX's form for a licence outside its list), so the stored value
 * is always a valid SPDX expression and the URL can be rebuilt from it.
 *
 * `licenseInfo` gives an id's name (`CC BY-SA 4.0`, `CC0 1.0`, `MIT License`), its link (the Creative
 * Commons deed, else the SPDX page), its version and, for Creative Commons, the button's elements
 * (`['CC', 'BY', 'SA']`) that pages draw as a text badge. A pure leaf module (it imports only the
 * error registry), so the database migration that rewrites old rows and the catalog's licence
 * filter use the very same function as publishing.
 */

import { SeedcastError } from './errors.js';

export interface LicenseInfo {
  /** The canonical SPDX id (`CC-BY-SA-4.0`, `LicenseRef-CC-BY-3.0-FR`, `MIT`). */
  id: string;
  /** Short human name: `CC BY-SA 4.0`, `CC0 1.0`, `Public Domain Mark 1.0`, `MIT License`. */
  name: string;
  /** The Creative Commons deed, else the licence's page on spdx.org. */
  url: string;
  /** `4.0`, `1.0`, `3.0`...; null when the licence has none (MIT). */
  version: string | null;
  /** Creative Commons licences and public-domain tools. */
  creativeCommons: boolean;
  /** The elements of the Creative Commons button (`['CC', 'BY', 'SA']`, `['CC0']`, `['PD']`). */
  badge?: readonly string[];
}

/** SPDX ids outside the Creative Commons family, with their names. */
const OTHER: Record<string, string> = {
  'PDDL-1.0': 'ODC Public Domain Dedication and License 1.0',
  'ODbL-1.0': 'Open Database License 1.0',
  'ODC-By-1.0': 'ODC Attribution License 1.0',
  'OGL-UK-3.0': 'Open Government Licence 3.0',
  'OFL-1.1': 'SIL Open Font License 1.1',
  'GFDL-1.3-only': 'GNU Free Documentation License 1.3 only',
  'GFDL-1.3-or-later': 'GNU Free Documentation License 1.3 or later',
  'FAL-1.3': 'Free Art License 1.3',
  MIT: 'MIT License',
  'Apache-2.0': 'Apache License 2.0',
  'BSD-2-Clause': 'BSD 2-Clause License',
  'BSD-3-Clause': 'BSD 3-Clause License',
  ISC: 'ISC License',
  'MPL-2.0': 'Mozilla Public License 2.0',
  'GPL-2.0-only': 'GNU GPL 2.0 only',
  'GPL-2.0-or-later': 'GNU GPL 2.0 or later',
  'GPL-3.0-only': 'GNU GPL 3.0 only',
  'GPL-3.0-or-later': 'GNU GPL 3.0 or later',
  'LGPL-2.1-only': 'GNU LGPL 2.1 only',
  'LGPL-2.1-or-later': 'GNU LGPL 2.1 or later',
  'LGPL-3.0-only': 'GNU LGPL 3.0 only',
  'LGPL-3.0-or-later': 'GNU LGPL 3.0 or later',
  'AGPL-3.0-only': 'GNU AGPL 3.0 only',
  'AGPL-3.0-or-later': 'GNU AGPL 3.0 or later',
  Unlicense: 'The Unlicense',
  '0BSD': 'BSD Zero Clause License',
  WTFPL: 'WTFPL',
  'Artistic-2.0': 'Artistic License 2.0',
  Zlib: 'zlib License',
};

/** Deprecated SPDX ids people still write, to their current form. */
const ALIASES: Record<string, string> = {
  'gpl-2.0': 'GPL-2.0-only',
  'gpl-2.0+': 'GPL-2.0-or-later',
  'gpl-3.0': 'GPL-3.0-only',
  'gpl-3.0+': 'GPL-3.0-or-later',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-2.1+': 'LGPL-2.1-or-later',
  'lgpl-3.0': 'LGPL-3.0-only',
  'lgpl-3.0+': 'LGPL-3.0-or-later',
  'agpl-3.0': 'AGPL-3.0-only',
  'gfdl-1.3': 'GFDL-1.3-only',
};

/** The Creative Commons public-domain tools: id, name, deed, button. */
const PUBLIC_DOMAIN: Record<string, { name: string; path: string; badge: string[] }> = {
  'CC0-1.0': { name: 'CC0 1.0', path: 'publicdomain/zero/1.0', badge: ['CC0'] },
  'CC-PDM-1.0': { name: 'Public Domain Mark 1.0', path: 'publicdomain/mark/1.0', badge: ['PD'] },
  'CC-PDDC': { name: 'CC Public Domain Certification', path: 'licenses/publicdomain', badge: ['PD'] },
};

/** Creative Commons ports (licence, version, jurisdiction) that SPDX lists (license list 3.23). */
const SPDX_PORTS = new Set([
  'CC-BY-2.5-AU',
  'CC-BY-3.0-AT',
  'CC-BY-3.0-AU',
  'CC-BY-3.0-DE',
  'CC-BY-3.0-IGO',
  'CC-BY-3.0-NL',
  'CC-BY-3.0-US',
  'CC-BY-NC-3.0-DE',
  'CC-BY-NC-ND-3.0-DE',
  'CC-BY-NC-ND-3.0-IGO',
  'CC-BY-NC-SA-2.0-DE',
  'CC-BY-NC-SA-2.0-FR',
  'CC-BY-NC-SA-2.0-UK',
  'CC-BY-NC-SA-3.0-DE',
  'CC-BY-NC-SA-3.0-IGO',
  'CC-BY-ND-3.0-DE',
  'CC-BY-SA-2.0-UK',
  'CC-BY-SA-2.1-JP',
  'CC-BY-SA-3.0-AT',
  'CC-BY-SA-3.0-DE',
  'CC-BY-SA-3.0-IGO',
]);

/** A Creative Commons licence's URL path element to its SPDX element. */
const CC_KINDS: Record<string, string> = {
  by: 'BY',
  'by-sa': 'BY-SA',
  'by-nd': 'BY-ND',
  'by-nc': 'BY-NC',
  'by-nc-sa': 'BY-NC-SA',
  'by-nc-nd': 'BY-NC-ND',
  'by-nd-nc': 'BY-NC-ND',
  sa: 'SA',
};
const CC_VERSIONS = new Set(['1.0', '2.0', '2.1', '2.5', '3.0', '4.0']);

const CC_URL =
  /^(?:https?:\/\/)?(?:www\.)?creativecommons\.org\/(?:licenses\/([a-z-]+)\/(\d\.\d)(?:\/(?!legalcode|deed)([a-z]{2,8}))?|(publicdomain\/(?:zero|mark)\/1\.0|licenses\/publicdomain))(?:\/(?:legalcode(?:\.[\w-]+)?|deed\.[\w-]+))?\/?(?:[?#].*)?$/i;
const CC_ID = /^(?:LicenseRef-)?CC-(BY(?:-NC)?(?:-ND|-SA)?|SA)-(\d\.\d)(?:-([A-Z]{2,8}))?$/i;
const SPDX_PAGE = /^(?:https?:\/\/)?(?:www\.)?spdx\.org\/licenses\/([\w.+-]+?)(?:\.html)?\/?$/i;

const BY_LOWER = new Map(
  [...Object.keys(OTHER), ...Object.keys(PUBLIC_DOMAIN)].map((id) => [id.toLowerCase(), id]),
);

/** A Creative Commons licence's canonical id from its parts, or undefined when no such licence exists. */
function ccId(kind: string, version: string, port: string | undefined): string | undefined {
  const element = CC_KINDS[kind] ?? kind;
  if (!CC_VERSIONS.has(version)) return undefined;
  if ((element === 'SA' || kind === 'by-nd-nc') && version !== '1.0') return undefined;
  if (version === '2.1' && !port) return undefined; // 2.1 exists only as ports
  if (version === '4.0' && port) return undefined; // 4.0 has no ports
  const id = `CC-${element}-${version}${port ? `-${port.toUpperCase()}` : ''}`;
  return port && !SPDX_PORTS.has(id) ? `LicenseRef-${id}` : id;
}

/** The canonical id of any accepted form, or undefined for anything else (never throws). */
export function canonicalLicense(value: string): string | undefined {
  const text = value.trim();
  const url = CC_URL.exec(text);
  if (url) {
    if (url[4]) {
      const path = url[4].toLowerCase();
      return Object.keys(PUBLIC_DOMAIN).find((id) => PUBLIC_DOMAIN[id]!.path === path);
    }
    const kind = url[1]!.toLowerCase();
    return kind in CC_KINDS ? ccId(kind, url[2]!, url[3]) : undefined;
  }
  const cc = CC_ID.exec(text);
  if (cc) return ccId(cc[1]!.toUpperCase(), cc[2]!, cc[3]);
  const page = SPDX_PAGE.exec(text);
  const id = (page ? page[1]! : text).toLowerCase();
  if (page && CC_ID.test(id)) return canonicalLicense(id);
  return BY_LOWER.get(id) ?? ALIASES[id];
}

/**
 * The canonical licence (an SPDX id), null when none was given (empty or blank); ITEM_INVALID
 * naming `license` for anything the table does not know.
 */
export function checkLicense(value: string | undefined | null): string | null {
  if ((value ?? '').trim() === '') return null;
  const id = canonicalLicense(value!);
  if (id) return id;
  throw new SeedcastError(
    'ITEM_INVALID',
    'license: a Creative Commons URL (https://creativecommons.org/licenses/by/4.0/) or an SPDX id (CC-BY-4.0, CC0-1.0, MIT...)',
  );
}

/**
 * Name, link, version and badge of a stored licence; null when none. A value outside the table (a
 * row the migration could not read) keeps its text as its name, with a link when it is a URL.
 */
export function licenseInfo(license: string | null | undefined): LicenseInfo | null {
  if (!license) return null;
  const id = canonicalLicense(license);
  if (!id) {
    const url = /^https?:\/\//i.test(license) ? license : '';
    return { id: license, name: license, url, version: null, creativeCommons: false };
  }
  const pd = PUBLIC_DOMAIN[id];
  if (pd) {
    const url = `https://creativecommons.org/${pd.path}/`;
    const version = /\d\.\d/.exec(pd.path)?.[0] ?? null;
    return { id, name: pd.name, url, version, creativeCommons: true, badge: pd.badge };
  }
  const cc = CC_ID.exec(id);
  if (cc) {
    const [, kind, version, port] = cc as unknown as [string, string, string, string | undefined];
    const path = kind === 'BY-NC-ND' && version === '1.0' ? 'by-nd-nc' : kind.toLowerCase();
    const url = `https://creativecommons.org/licenses/${path}/${version}/${port ? `${port.toLowerCase()}/` : ''}`;
    const name = `CC ${kind} ${version}${port ? ` ${port}` : ''}`;
    return { id, name, url, version, creativeCommons: true, badge: ['CC', ...kind.split('-')] };
  }
  return {
    id,
    name: OTHER[id] ?? id,
    url: `https://spdx.org/licenses/${id}.html`,
    version: /-(\d+\.\d+)(?:-|$)/.exec(id)?.[1] ?? null,
    creativeCommons: false,
  };
}

/** JSON Schema of `licenseInfo`'s answer (null without a licence), for route response schemas. */
export const LICENSE_INFO_SCHEMA = {
  type: ['object', 'null'],
  required: ['id', 'name', 'url', 'version', 'creativeCommons'],
  properties: {
    id: { type: 'string', description: 'Canonical SPDX id, e.g. CC-BY-SA-4.0.' },
    name: { type: 'string', description: 'e.g. CC BY-SA 4.0, CC0 1.0, MIT License.' },
    url: { type: 'string', description: 'The Creative Commons deed, else the SPDX page.' },
    version: { type: ['string', 'null'] },
    creativeCommons: { type: 'boolean' },
    badge: { type: 'array', items: { type: 'string' }, description: "The CC button's elements." },
  },
} as const;
