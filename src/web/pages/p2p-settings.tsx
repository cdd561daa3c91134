/**
 * The forms of the viewer choice (issue 17): an account's "Share with other viewers (P2P)" (site
 * default / on / off; `POST /account/p2p`) and the site's default an admin sets (on / off;
 * `POST /admin/p2p`). Both carry the CSRF field.
 */

import type { P2pChoice, P2pSetting } from '../../catalog/index.js';
import { type Html, h } from '../html/jsx.js';
import { CsrfField, type PageContext } from './layout.js';

export function AccountP2pForm(props: {
  ctx: PageContext;
  setting: P2pSetting;
  siteDefault: P2pChoice;
}): Html {
  const { ctx, setting, siteDefault } = props;
  const options: [P2pSetting, string][] = [
    ['default', `The site's default (now ${siteDefault})`],
    ['on', 'On'],
    ['off', 'Off'],
  ];
  return (
    <section aria-labelledby="p2p-title" id="account-p2p">
      <h2 id="p2p-title">Share with other viewers (P2P)</h2>
      <p>
        Playing through the swarm gets parts of a video from other viewers and shares your IP address with
        them. This choice applies in every browser you log in with; each browser's own switch beside the
        player wins over it.
      </p>
      <form class="form" method="post" action="/account/p2p" id="p2p-form">
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>Share with other viewers (P2P)</legend>
          {options.map(([value, label]) => (
            <label>
              <input type="radio" name="p2p" value={value} checked={setting === value} /> {label}
            </label>
          ))}
        </fieldset>
        <button type="submit">Save</button>
      </form>
    </section>
  );
}

export function AdminP2pForm(props: { ctx: PageContext; siteDefault: P2pChoice }): Html {
  const { ctx, siteDefault } = props;
  return (
    <section aria-labelledby="admin-p2p-title" id="admin-p2p">
      <h2 id="admin-p2p-title">Browser P2P</h2>
      <p>
        Whether players share through the swarm for viewers who have not chosen (their browser's switch and
        their account's setting win). P2P shows each viewer's IP address to other viewers; it also means the
        site sends each video far fewer times.
      </p>
      <form class="form" method="post" action="/admin/p2p" id="admin-p2p-form">
        <CsrfField ctx={ctx} />
        <fieldset>
          <legend>Default for viewers</legend>
          <label>
            <input type="radio" name="p2p" value="on" checked={siteDefault === 'on'} /> On
          </label>
          <label>
            <input type="radio" name="p2p" value="off" checked={siteDefault === 'off'} /> Off
          </label>
        </fieldset>
        <button type="submit">Save</button>
      </form>
    </section>
  );
}
