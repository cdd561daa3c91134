/**
 * The fixity table (issue 22, migration 0020_fixity in `migrations-fixity.ts`): when each item was
 * last re-hashed against its piece hashes, what was damaged, and the repair's state. Part of
 * `Schema` (`schema.ts`), re-exported by `src/db/index.ts`.
 */

import type { ColumnType } from 'kysely';

type Defaulted<T> = ColumnType<T, T | undefined, T>;

export type FixityStateColumn = 'ok' | 'damaged' | 'repairing' | 'repaired';

/** An item's last fixity pass and repair (migration 0020_fixity). */
export interface FixityTable {
  item_id: number;
  /** When the last pass ended (ms); null until one has. */
  verified_at: number | null;
  bytes_checked: Defaulted<number>;
  files_checked: Defaulted<number>;
  /** Damaged piece indexes, a JSON array (`[]` when whole). */
  damaged: Defaulted<string>;
  state: Defaulted<FixityStateColumn>;
  damaged_at: number | null;
  repaired_at: number | null;
  /** The last repair's error, when it failed. */
  error: string | null;
  /** Running totals: passes, files and bytes verified, pieces repaired. */
  passes: Defaulted<number>;
  files_total: Defaulted<number>;
  bytes_total: Defaulted<number>;
  pieces_repaired: Defaulted<number>;
  updated_at: number;
}
