/**
 * Publishing (ARCHITECTURE's `publishing/`): for now the licence table; drafts, tus uploads and
 * torrent-only publishing still live in `src/site/`.
 */

export {
  canonicalLicense,
  checkLicense,
  LICENSE_INFO_SCHEMA,
  type LicenseInfo,
  licenseInfo,
} from './licenses.js';
