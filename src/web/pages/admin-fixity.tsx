/**
 * The admin page's fixity section (issue 22): the last passes' summary (items verified, files and
 * bytes re-hashed, when the latest pass ended, the configured period and byte rate) and, per item
 * whose stored pieces failed their hash, the damaged pieces and the repair's state (damaged,
 * repairing from the swarm, repaired), with the last repair error.
 */

import type { FixityRecord, FixityView } from '../../distribution/index.js';
import { type Html, h } from '../html/jsx.js';
import { formatBytes, formatDate, formatDuration } from './format.js';

/** `3, 7, 12..15` for piece indexes (at most 30 runs shown). */
function pieceList(pieces: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < pieces.length; ) {
    let j = i;
    while (j + 1 < pieces.length && pieces[j + 1] === pieces[j]! + 1) j++;
    runs.push(i === j ? `${pieces[i]}` : `${pieces[i]}..${pieces[j]}`);
    i = j + 1;
  }
  return runs.length > 30 ? `${runs.slice(0, 30).join(', ')}, ...` : runs.join(', ');
}

const STATE_LABEL: Record<FixityRecord['state'], string> = {
  ok: 'whole',
  damaged: 'damaged',
  repairing: 'repairing from the swarm',
  repaired: 'repaired',
};

export function FixitySection(props: { view: FixityView }): Html {
  const { totals, settings, items } = props.view;
  return (
    <section aria-labelledby="fixity-title" id="fixity">
      <h2 id="fixity-title">Fixity</h2>
      <p id="fixity-summary">
        {totals.itemsVerified} item(s) verified: {totals.filesVerified} file(s),{' '}
        {formatBytes(totals.bytesVerified)} re-hashed in {totals.passes} pass(es)
        {totals.lastVerifiedAt ? `, the latest ${formatDate(totals.lastVerifiedAt)}` : ''}.{' '}
        {totals.damagedPieces} damaged piece(s) in {totals.damagedItems} item(s) now; {totals.piecesRepaired}{' '}
        repaired from the swarm so far.{' '}
        {settings.enabled
          ? `Every item is checked once in ${formatDuration(settings.periodMs)}, reading at most ${
              settings.bytesPerSecond > 0 ? `${formatBytes(settings.bytesPerSecond)}/s` : 'without a limit'
            }.`
          : 'Periodic checks are off (SEEDCAST_FIXITY).'}
      </p>
      {items.length === 0 ? (
        <p class="muted">No damage found.</p>
      ) : (
        <table class="list" id="fixity-items">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">State</th>
              <th scope="col">Damaged pieces</th>
              <th scope="col">Last check</th>
              <th scope="col">Repaired</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr data-item-id={r.itemId} data-state={r.state}>
                <td>
                  <a href={`/items/${r.itemId}`}>item {r.itemId}</a>
                </td>
                <td>
                  {STATE_LABEL[r.state]}
                  {r.error ? <span class="muted"> ({r.error})</span> : null}
                </td>
                <td class="fixity-pieces">{r.damaged.length > 0 ? pieceList(r.damaged) : '-'}</td>
                <td>{r.verifiedAt ? formatDate(r.verifiedAt) : ''}</td>
                <td>{r.repairedAt ? formatDate(r.repairedAt) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
