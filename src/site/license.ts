/**
 * Licences: an item's licence is a Creative Commons URL (licences 1.0 to 4.0, CC0, the Public Domain
 * Mark, with an optional jurisdiction port) or an SPDX identifier from a list of the ones media and
 * software on a commons use. Answers the canonical form (https URL with a trailing slash; the SPDX
 * id in its official case), or throws ITEM_INVALID naming `license`.
 */

import { SeedcastError } from '../errors.js';

const CC_URL =
  /^https?:\/\/(?:www\.)?creativecommons\.org\/(licenses\/(?:by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)\/(?:1\.0|2\.0|2\.5|3\.0|4\.0)(?:\/[a-z]{2}(?:-[a-z]{2})?)?|publicdomain\/(?:zero|mark)\/1\.0)\/?(?:legalcode(?:\.[a-z-]+)?|deed\.[a-z-]+)?$/i;

const CC_SPDX = /^CC-BY(?:-NC)?(?:-ND|-SA)?-(?:1\.0|2\.0|2\.5|3\.0|4\.0)$/i;

const SPDX = [
  'CC0-1.0',
  'CC-PDDC',
  'PDDL-1.0',
  'ODbL-1.0',
  'ODC-By-1.0',
  'OGL-UK-3.0',
  'OFL-1.1',
  'GFDL-1.3-only',
  'GFDL-1.3-or-later',
  'FAL-1.3',
  'MIT',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'ISC',
  'MPL-2.0',
  'GPL-2.0-only',
  'GPL-2.0-or-later',
  'GPL-3.0-only',
  'GPL-3.0-or-later',
  'LGPL-2.1-only',
  'LGPL-2.1-or-later',
  'LGPL-3.0-only',
  'LGPL-3.0-or-later',
  'AGPL-3.0-only',
  'AGPL-3.0-or-later',
  'Unlicense',
  '0BSD',
  'WTFPL',
  'Artistic-2.0',
  'Zlib',
];
const SPDX_BY_LOWER = new Map(SPDX.map((id) => [id.toLowerCase(), id]));

/** The canonical licence, null when none was given; ITEM_INVALID for anything else. */
export function checkLicense(value: string | undefined | null): string | null {
  const text = (value ?? '').trim();
  if (text === '') return null;
  const cc = CC_URL.exec(text);
  if (cc) return `https://creativecommons.org/${cc[1]!.toLowerCase()}/`;
  if (CC_SPDX.test(text)) return text.toUpperCase();
  const spdx = SPDX_BY_LOWER.get(text.toLowerCase());
  if (spdx) return spdx;
  throw new SeedcastError(
    'ITEM_INVALID',
    'license: a Creative Commons URL (https://creativecommons.org/licenses/by/4.0/) or an SPDX id (CC-BY-4.0, CC0-1.0, MIT...)',
  );
}
