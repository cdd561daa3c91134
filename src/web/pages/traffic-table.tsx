/**
 * The item page's per-channel figures (issue 17, honest statistics): what the site sent over plain
 * HTTP (to players and as downloads), over its web seed, to TCP and WebRTC peers, and what browsers
 * reported they got from other peers. Each cell carries `data-traffic="<channel>"` so `site.js`
 * refreshes it from the item API's `traffic`.
 */

import type { TrafficView } from '../../distribution/index.js';
import { type Html, h } from '../html/jsx.js';
import { formatBytes } from './format.js';

const ROWS: [keyof TrafficView, string][] = [
  ['httpPlayer', 'Plain HTTP to players'],
  ['httpDownload', 'Plain HTTP downloads'],
  ['webSeed', 'Web seed'],
  ['tcp', 'BitTorrent peers (TCP)'],
  ['webrtc', 'Browser peers (WebRTC)'],
];

export function TrafficTable(props: { traffic: TrafficView }): Html {
  const t = props.traffic;
  return (
    <table class="traffic" id="traffic">
      <caption>Bytes sent by this site</caption>
      <tbody>
        {ROWS.map(([key, label]) => (
          <tr>
            <th scope="row">{label}</th>
            <td data-traffic={key}>{formatBytes(t[key])}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">Total from this site</th>
          <td data-traffic="site">{formatBytes(t.site)}</td>
        </tr>
        <tr>
          <th scope="row">Browsers got from other viewers</th>
          <td data-traffic="browserPeers">{formatBytes(t.browserPeers)}</td>
        </tr>
      </tbody>
    </table>
  );
}
