/**
 * The aggregator: subscriptions to feeds, a sync loop that polls them (conditional GET, per-feed
 * intervals, backoff) and downloads new items through the swarm (engine) or over HTTP, seeding what it
 * fetched, and the local library. Imports `engine`, `feeds` and `torrent`; never site code.
 */

export { Aggregator, type AggregatorOptions } from './aggregator.js';
export { enforceBudget, libraryUsage } from './budget.js';
export {
  type DiscoveredFeed,
  type DiscoverOptions,
  discoverFeed,
  type FeedLink,
  findFeedLinks,
} from './discover.js';
export { deleteEpisodeFile, findEpisode, markPlayed, queueEpisode, setPosition } from './episodes.js';
export { feedId, recordId } from './items.js';
export { type LibraryEntry, libraryEntries } from './library.js';
export { libraryDir, safeExtension, safeName, seedcastHome, torrentsDir } from './paths.js';
export { type PowerState, powerState } from './power.js';
export { runSyncLoop } from './run-loop.js';
export { appOpenWindowMs, SeedingGate, type SeedingGateOptions } from './seeding-gate.js';
export { applySettings, updateSettings, validateSettings } from './settings.js';
export type { ActiveDownload } from './snapshot.js';
export { downloadRate } from './snapshot.js';
export {
  DEFAULT_FEED_OPTIONS,
  DEFAULT_SETTINGS,
  type DownloadRecord,
  type DownloadStatus,
  emptyState,
  type FeedOptions,
  type FeedState,
  loadState,
  type Settings,
  type State,
  saveState,
  statePath,
  type TranscriptLink,
  updateState,
} from './state.js';
export {
  exportOpml,
  findFeed,
  importOpml,
  normalizeFeedUrl,
  setFeedOptions,
  subscribe,
  unsubscribe,
} from './subscriptions.js';
export { formatEvent, formatView, type SyncEvent, type SyncSnapshot } from './view.js';
