/**
 * Fixity's numbers as `/metrics` shows them (Prometheus text exposition format 0.0.4): running
 * totals of what the checks verified (passes, files, bytes) and repaired (pieces) as counters, and
 * what is damaged now as gauges. The totals come from the database, so every site node and
 * `seedcast worker` adds to the same counts.
 */

import type { FixityTotals } from './fixity-store.js';

/** The `seedcast_fixity_*` metric lines, each with its HELP and TYPE; ends with a newline. */
export function fixityMetrics(totals: FixityTotals, repairing: number): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, value: number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  metric(
    'seedcast_fixity_passes_total',
    'counter',
    'Fixity passes finished (one item re-hashed each).',
    totals.passes,
  );
  metric(
    'seedcast_fixity_files_verified_total',
    'counter',
    'Files re-hashed against their piece hashes.',
    totals.filesVerified,
  );
  metric(
    'seedcast_fixity_bytes_verified_total',
    'counter',
    'Bytes read from storage by fixity passes.',
    totals.bytesVerified,
  );
  metric(
    'seedcast_fixity_items_verified',
    'gauge',
    'Items with at least one finished fixity pass.',
    totals.itemsVerified,
  );
  metric(
    'seedcast_fixity_damaged_pieces',
    'gauge',
    'Pieces found damaged in storage and not repaired yet.',
    totals.damagedPieces,
  );
  metric(
    'seedcast_fixity_damaged_items',
    'gauge',
    'Items with damaged pieces not repaired yet.',
    totals.damagedItems,
  );
  metric(
    'seedcast_fixity_repairing_items',
    'gauge',
    'Items this node is repairing from the swarm now.',
    repairing,
  );
  metric(
    'seedcast_fixity_pieces_repaired_total',
    'counter',
    'Damaged pieces fetched from the swarm and written back.',
    totals.piecesRepaired,
  );
  if (totals.lastVerifiedAt !== null)
    metric(
      'seedcast_fixity_last_pass_timestamp_seconds',
      'gauge',
      'When the most recent fixity pass ended.',
      Math.floor(totals.lastVerifiedAt / 1000),
    );
  return `${lines.join('\n')}\n`;
}
