/**
 * The site's domain over the database: accounts (scrypt passwords, API tokens) and items with their
 * files and tags. Repositories take a `Database` from `src/db`; every one is tested on SQLite and
 * PostgreSQL.
 */

export { MEDIA_TYPES, type MediaType } from '../db/index.js';
// accounts (issue 19): one-time tokens, email addresses, deleting and exporting an account
export {
  AccountTokenRepository,
  type ConsumedToken,
  type IssuedToken,
  TOKEN_TTL,
} from './account-tokens.js';
export {
  type CaptionCueText,
  CaptionRepository,
  type CaptionRow,
  type ChaptersDocument,
  type NewCaption,
} from './captions.js';
export {
  CHANNEL_MEDIA,
  type Channel,
  type ChannelMedium,
  ChannelRepository,
  checkChannelName,
} from './channels.js';
export {
  type Collection,
  type CollectionActor,
  CollectionRepository,
  type CollectionVisibility,
  MAX_COLLECTION_ITEMS,
  MAX_COLLECTIONS_PER_USER,
} from './collections.js';
export {
  type Actor,
  COMMENT_PAGE,
  type Comment,
  type CommentPage,
  MAX_COMMENT,
  MAX_PAGE,
  THREAD_LEVELS,
} from './comments.js';
export { CommunityRepository, type Report } from './community.js';
export {
  type Derivative,
  DerivativeRepository,
  type DerivativesTorrent,
  type NewDerivative,
  type ProcessingRecord,
} from './derivatives.js';
export {
  checkItemField,
  emptyItemFields,
  FEED_NAMESPACES,
  type FeedElement,
  fieldText,
  ITEM_FIELD_NAMES,
  ITEM_FIELDS,
  type ItemFieldInput,
  type ItemFieldName,
  type ItemFieldSpec,
  type ItemFieldText,
  type ItemFieldValues,
  itemField,
  itemFieldsFromText,
  itemFieldValues,
  nullable,
} from './item-fields.js';
export type { ItemFacts, ItemFileInput, ItemMetadata, NewItemInput } from './item-input.js';
export { type Item, type ItemFile, type ItemFilter, ItemRepository } from './items.js';
export { DERIVATIVES_TORRENT_NAME, SiteLinks } from './links.js';
export {
  type AuditAction,
  type AuditEntry,
  type DisabledAccount,
  ModerationRepository,
} from './moderation.js';
export { checkPassword, hashPassword, type ScryptCost, verifyPassword } from './passwords.js';
export { QuotaRepository, type QuotaSetting } from './quota.js';
export { canModerate, isAdmin } from './roles.js';
export {
  type Facets,
  type FacetValue,
  SEARCH_SORTS,
  type SearchOptions,
  type SearchQuery,
  SearchRepository,
  type SearchResult,
  type SearchSort,
  searchWords,
} from './search.js';
export { SessionRepository } from './sessions.js';
export { type P2pChoice, type P2pSetting, resolveP2p, SettingsRepository } from './settings.js';
export { type AdminUserPatch, type AdminUserRow, SiteAccounts } from './site-accounts.js';
export {
  type AdminSettings,
  DEFAULT_PROFILE,
  REGISTRATION_MODES,
  type Registration,
  type SettingsPatch,
  type SiteProfile,
  SiteSettings,
} from './site-settings.js';
export { type CreateTokenOptions, type TokenInfo, TokenRepository } from './tokens.js';
export { type NewUpload, type Upload, UploadRepository } from './uploads.js';
export { checkUsername, type User, UserRepository, type UserRepositoryOptions } from './users.js';
export {
  type AccountExport,
  AccountRemoval,
  accountExport,
  checkRemovable,
  ITEMS_CHOICES,
  type ItemsChoice,
  ownedItemIds,
  type RemovedAccount,
  removeAccount,
  siteAccount,
} from './users-delete.js';
export { type AccountEmail, AccountEmails, checkEmail, MAX_EMAIL, type ResetTarget } from './users-email.js';
