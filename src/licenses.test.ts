/**
 * The licence table: every accepted form of a licence gives one canonical SPDX id; names, links,
 * versions and badges; anything unknown is refused naming `license`.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSeedcastError } from './errors.js';
import { canonicalLicense, checkLicense, licenseInfo } from './licenses.js';

test('every form of CC0 is CC0-1.0', () => {
  for (const form of [
    'CC0-1.0',
    'cc0-1.0',
    ' CC0-1.0 ',
    'https://creativecommons.org/publicdomain/zero/1.0/',
    'http://creativecommons.org/publicdomain/zero/1.0',
    'https://www.creativecommons.org/publicdomain/zero/1.0',
    'HTTPS://CreativeCommons.org/publicdomain/zero/1.0/legalcode',
    'https://creativecommons.org/publicdomain/zero/1.0/legalcode.en',
    'https://creativecommons.org/publicdomain/zero/1.0/deed.fr',
    'https://creativecommons.org/publicdomain/zero/1.0/deed.pt_BR',
    'creativecommons.org/publicdomain/zero/1.0/',
    'https://spdx.org/licenses/CC0-1.0.html',
  ]) {
    assert.equal(checkLicense(form), 'CC0-1.0', form);
  }
});

test('Creative Commons licences: URLs and ids in any case to the SPDX id', () => {
  const cases: [string, string][] = [
    ['http://creativecommons.org/licenses/by-sa/4.0', 'CC-BY-SA-4.0'],
    ['https://creativecommons.org/licenses/by-sa/4.0/?ref=chooser-v1', 'CC-BY-SA-4.0'],
    ['https://creativecommons.org/licenses/by/4.0/legalcode.txt', 'CC-BY-4.0'],
    ['https://creativecommons.org/licenses/by-nc-nd/2.5/', 'CC-BY-NC-ND-2.5'],
    ['https://creativecommons.org/licenses/by-nd-nc/1.0/', 'CC-BY-NC-ND-1.0'],
    ['https://creativecommons.org/licenses/sa/1.0/', 'CC-SA-1.0'],
    ['cc-by-sa-3.0', 'CC-BY-SA-3.0'],
    ['CC-BY-NC-SA-4.0', 'CC-BY-NC-SA-4.0'],
    // Ports keep their jurisdiction: SPDX's id when it lists the port, else a LicenseRef.
    ['https://creativecommons.org/licenses/by/3.0/us/', 'CC-BY-3.0-US'],
    ['https://creativecommons.org/licenses/by-nc-nd/3.0/de/deed.en', 'CC-BY-NC-ND-3.0-DE'],
    ['https://creativecommons.org/licenses/by-sa/3.0/igo/legalcode', 'CC-BY-SA-3.0-IGO'],
    ['https://creativecommons.org/licenses/by-sa/2.1/jp/', 'CC-BY-SA-2.1-JP'],
    ['cc-by-3.0-us', 'CC-BY-3.0-US'],
    ['https://creativecommons.org/licenses/by/3.0/fr/', 'LicenseRef-CC-BY-3.0-FR'],
    ['CC-BY-3.0-FR', 'LicenseRef-CC-BY-3.0-FR'],
    ['licenseref-cc-by-3.0-fr', 'LicenseRef-CC-BY-3.0-FR'],
    ['https://creativecommons.org/publicdomain/mark/1.0/', 'CC-PDM-1.0'],
    ['cc-pdm-1.0', 'CC-PDM-1.0'],
    ['https://creativecommons.org/licenses/publicdomain/', 'CC-PDDC'],
  ];
  for (const [input, id] of cases) assert.equal(checkLicense(input), id, input);
});

test('other SPDX ids in their official case; deprecated GPL forms to their current ids', () => {
  assert.equal(checkLicense('mit'), 'MIT');
  assert.equal(checkLicense('odbl-1.0'), 'ODbL-1.0');
  assert.equal(checkLicense('GPL-3.0'), 'GPL-3.0-only');
  assert.equal(checkLicense('gpl-2.0+'), 'GPL-2.0-or-later');
  assert.equal(checkLicense('https://spdx.org/licenses/Apache-2.0.html'), 'Apache-2.0');
});

test('nothing given is null; anything unknown is refused naming license', () => {
  assert.equal(checkLicense(undefined), null);
  assert.equal(checkLicense(null), null);
  assert.equal(checkLicense('  '), null);
  for (const bad of [
    'CC-BY-5.0',
    'CC-SA-4.0',
    'CC-BY-2.1',
    'https://creativecommons.org/licenses/by/4.0/us/',
    'https://creativecommons.org/licenses/by/9.0/',
    'https://creativecommons.org/licenses/nc/1.0/',
    'https://example.org/licenses/by/4.0/',
    'https://creativecommons.org.evil.example/licenses/by/4.0/',
    'https://creativecommons.org/licenses/by/4.0/../../evil',
    'https://spdx.org/licenses/Nope-1.0.html',
    'All rights reserved',
    'GPL',
  ]) {
    assert.equal(canonicalLicense(bad), undefined, bad);
    assert.throws(
      () => checkLicense(bad),
      (e) => isSeedcastError(e, 'ITEM_INVALID') && /: license: /.test(e.message),
      bad,
    );
  }
});

test('licenseInfo: name, deed or SPDX page, version and badge', () => {
  assert.deepEqual(licenseInfo('CC-BY-SA-4.0'), {
    id: 'CC-BY-SA-4.0',
    name: 'CC BY-SA 4.0',
    url: 'https://creativecommons.org/licenses/by-sa/4.0/',
    version: '4.0',
    creativeCommons: true,
    badge: ['CC', 'BY', 'SA'],
  });
  assert.deepEqual(licenseInfo('CC0-1.0'), {
    id: 'CC0-1.0',
    name: 'CC0 1.0',
    url: 'https://creativecommons.org/publicdomain/zero/1.0/',
    version: '1.0',
    creativeCommons: true,
    badge: ['CC0'],
  });
  assert.equal(licenseInfo('CC-PDM-1.0')?.url, 'https://creativecommons.org/publicdomain/mark/1.0/');
  assert.equal(licenseInfo('CC-BY-NC-ND-1.0')?.url, 'https://creativecommons.org/licenses/by-nd-nc/1.0/');
  const port = licenseInfo('LicenseRef-CC-BY-3.0-FR')!;
  assert.equal(port.name, 'CC BY 3.0 FR');
  assert.equal(port.url, 'https://creativecommons.org/licenses/by/3.0/fr/');
  assert.equal(licenseInfo('CC-BY-3.0-US')?.url, 'https://creativecommons.org/licenses/by/3.0/us/');
  assert.deepEqual(licenseInfo('MIT'), {
    id: 'MIT',
    name: 'MIT License',
    url: 'https://spdx.org/licenses/MIT.html',
    version: null,
    creativeCommons: false,
  });
  assert.equal(licenseInfo('GPL-3.0-or-later')?.version, '3.0');
  // A stored value in an old form reads as its canonical licence; one outside the table keeps its text.
  assert.equal(licenseInfo('https://creativecommons.org/publicdomain/zero/1.0/')?.id, 'CC0-1.0');
  assert.deepEqual(licenseInfo('Some custom terms'), {
    id: 'Some custom terms',
    name: 'Some custom terms',
    url: '',
    version: null,
    creativeCommons: false,
  });
  assert.equal(licenseInfo(null), null);
  assert.equal(licenseInfo(''), null);
});

test('every canonical id is a fixed point, and its URL reads back to it', () => {
  for (const id of [
    'CC-BY-4.0',
    'CC-BY-NC-ND-1.0',
    'CC-SA-1.0',
    'CC-BY-SA-2.1-JP',
    'LicenseRef-CC-BY-2.5-SCOTLAND',
  ]) {
    assert.equal(checkLicense(id), id);
    assert.equal(checkLicense(licenseInfo(id)!.url), id, id);
  }
  for (const id of ['CC0-1.0', 'CC-PDM-1.0', 'CC-PDDC', 'MIT', 'ODbL-1.0', '0BSD']) {
    assert.equal(checkLicense(id), id);
    assert.equal(checkLicense(licenseInfo(id)!.url), id, id);
  }
});
