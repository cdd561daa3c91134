/**
 * The media jobs' handlers (`media.analyze`, `media.derive`), registered with the job queue's
 * workers by `seedcast serve` and `seedcast worker`. (A placeholder until the processing work lands:
 * no handlers yet.)
 */

import type { ItemRepository } from '../catalog/index.js';
import type { JobHandlers, JobQueue } from '../jobs/index.js';
import type { SiteLinks } from '../site/index.js';
import type { BlobStore } from '../storage/index.js';

export interface MediaJobDeps {
  items: ItemRepository;
  blobs: BlobStore;
  queue: JobQueue;
  /** Folder for temporary copies (inside the data folder). */
  tmpRoot: string;
  links: SiteLinks;
  log?: (message: string) => void;
}

export function mediaJobHandlers(_deps: MediaJobDeps): JobHandlers {
  return {};
}
