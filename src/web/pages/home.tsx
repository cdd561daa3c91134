/**
 * The home page: what the site is (its name and description from the settings) with a Publish call
 * to action, then the newest items, the most seeded ones (live tracker numbers) and the channels.
 */

import type { Channel } from '../../catalog/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { type CardItem, ItemGrid } from './components.js';
import { Layout, type PageContext } from './layout.js';
import { SiteIntro } from './settings.js';

export function HomePage(props: {
  ctx: PageContext;
  newest: CardItem[];
  mostSeeded: CardItem[];
  channels: Channel[];
}): Html {
  return (
    <Layout ctx={props.ctx} title="Home">
      <SiteIntro ctx={props.ctx} />
      <section aria-labelledby="newest-title">
        <h2 id="newest-title">Newest</h2>
        <ItemGrid id="newest" items={props.newest} empty="Nothing has been published yet." />
        {props.newest.length > 0 ? (
          <p>
            <a href="/search?sort=newest">More new items</a> · <a href="/feeds/items.rss">RSS feed</a>
          </p>
        ) : null}
      </section>
      <section aria-labelledby="seeded-title">
        <h2 id="seeded-title">Most seeded</h2>
        <ItemGrid id="most-seeded" items={props.mostSeeded} empty="No swarms are active right now." />
      </section>
      <section aria-labelledby="channels-title">
        <h2 id="channels-title">Channels</h2>
        {props.channels.length === 0 ? (
          <p class="muted">No channels yet.</p>
        ) : (
          <ul id="channels">
            {props.channels.map((c) => (
              <li>
                <a href={`/channels/${c.slug}`}>{c.title}</a>
                {c.description ? (
                  <>
                    {' '}
                    <span class="muted">— {c.description.slice(0, 140)}</span>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  );
}
