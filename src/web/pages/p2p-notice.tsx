/**
 * Viewers choose (issue 17; PeerTube #2934): the notice beside the player that playing through the
 * swarm shows the viewer's IP address to other viewers, with an explanation (`<details>`) and a
 * toggle (`#p2p-toggle`, a checkbox; `site.js` keeps it in `localStorage['seedcast.p2p']` and
 * dispatches `seedcast:p2p` on `document` with `{ on }`). The player's container `#player` carries
 * the server's resolution as `data-p2p="on|off"` and `data-p2p-forced="1"` (`?p2p=0`): see
 * `p2pAttributes`. Forced off, the toggle is disabled and says why.
 */

import { Fragment, type Html, h } from '../html/jsx.js';

export interface P2pView {
  /** What the server resolved: `?p2p=0`, else the account's choice, else the site's default. */
  p2p: 'on' | 'off';
  /** `?p2p=0`: off whatever the browser or the account says. */
  forced: boolean;
}

/** The attributes of the player's container `#player` (COMMON interface 5). */
export function p2pAttributes(view: P2pView | undefined): Record<string, string> {
  if (!view) return {};
  return view.forced ? { 'data-p2p': 'off', 'data-p2p-forced': '1' } : { 'data-p2p': view.p2p };
}

export function P2pNotice(props: { view: P2pView | undefined; accountUrl?: string }): Html | null {
  const { view } = props;
  if (!view) return null;
  return (
    <section class="p2p-notice" id="p2p-notice" aria-label="Sharing with other viewers">
      <label class="p2p-toggle">
        <input
          type="checkbox"
          id="p2p-toggle"
          checked={view.p2p === 'on' && !view.forced}
          disabled={view.forced}
          aria-describedby="p2p-why"
        />{' '}
        Share with other viewers (P2P)
      </label>
      <p class="muted" id="p2p-why">
        {view.forced
          ? 'P2P is off on this page (the link asks for ?p2p=0): it plays from this site only.'
          : 'Playing through the swarm shares your IP address with other viewers.'}
      </p>
      <details id="p2p-explained">
        <summary>What this means</summary>
        <p>
          With P2P on, the player gets parts of the file from other people watching it and sends them parts it
          already has, as BitTorrent does. To connect, your browser and theirs exchange IP addresses: the
          other viewers (and anyone who joins the swarm with a BitTorrent client that speaks WebRTC) can see
          yours. That is how the site can afford to serve everyone.
        </p>
        <p>
          With P2P off, the player fetches everything from this site, as any web video does, and no connection
          to another viewer is ever made. Your choice is kept in this browser;{' '}
          {props.accountUrl ? (
            <>
              your <a href={props.accountUrl}>account settings</a> set it for every browser you log in with.
            </>
          ) : (
            'an account sets it for every browser you log in with.'
          )}
        </p>
      </details>
    </section>
  );
}
