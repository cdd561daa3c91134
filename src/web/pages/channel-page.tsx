/**
 * The channel pages people read: a channel (`/channels/:name`: banner, avatar, title, owner, the
 * description as Markdown, its feeds and the site's OPML, Follow/Unfollow for signed-in visitors, an
 * edit link for its owner, the items newest first with paging), the list of channels (`/channels`)
 * and one's subscriptions (`/subscriptions`: the followed channels' newest items, and the channels).
 */

import type { Channel, User } from '../../catalog/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { renderMarkdown } from '../html/markdown.js';
import { ChannelAvatar, ChannelList, channelImagePath } from './channel-parts.js';
import { type CardItem, ItemGrid, Notice, Pagination } from './components.js';
import { CsrfField, Layout, type PageContext } from './layout.js';
import { type Listing, ListingSection } from './people.js';

export function channelFeeds(channel: Channel): { rss: string; atom: string; json: string } {
  const base = `/channels/${channel.slug}/feed`;
  return { rss: `${base}.rss`, atom: `${base}.atom`, json: `${base}.json` };
}

/** The channel's three feeds as `<link rel="alternate">` tags (for a page's head). */
export function ChannelFeedLinks(props: { channel: Channel }): Html {
  const { channel } = props;
  const feeds = channelFeeds(channel);
  return (
    <>
      <link rel="alternate" type="application/rss+xml" title={`${channel.title} (RSS)`} href={feeds.rss} />
      <link rel="alternate" type="application/atom+xml" title={`${channel.title} (Atom)`} href={feeds.atom} />
      <link
        rel="alternate"
        type="application/feed+json"
        title={`${channel.title} (JSON Feed)`}
        href={feeds.json}
      />
    </>
  );
}

export function ChannelPage(props: {
  ctx: PageContext;
  channel: Channel;
  owner?: User;
  listing: Listing;
  followers: number;
  following: boolean;
  /** The visitor may edit the channel (its owner, an admin). */
  editable: boolean;
  notice?: string;
}): Html {
  const { ctx, channel, owner } = props;
  const base = `/channels/${channel.slug}`;
  const feeds = channelFeeds(channel);
  const banner = channelImagePath(channel, 'banner');
  return (
    <Layout ctx={ctx} title={channel.title} head={<ChannelFeedLinks channel={channel} />}>
      {props.notice ? <Notice kind="ok">{props.notice}</Notice> : null}
      {banner ? <img class="channel-banner" id="channel-banner" src={banner} alt="" /> : null}
      <div class="channel-head">
        <ChannelAvatar channel={channel} size={96} id="channel-avatar" />
        <div>
          <h1 id="channel-title">{channel.title}</h1>
          <p class="muted">
            A channel
            {owner ? (
              <span>
                {' by '}
                <a href={`/users/${encodeURIComponent(owner.username)}`}>{owner.username}</a>
              </span>
            ) : null}{' '}
            ·{' '}
            <span id="channel-followers">
              {props.followers === 1 ? '1 follower' : `${props.followers} followers`}
            </span>
          </p>
        </div>
      </div>
      <div class="channel-actions">
        {ctx.visitor.user ? (
          <form
            method="post"
            action={`${base}/${props.following ? 'unfollow' : 'follow'}`}
            class="inline-form"
          >
            <CsrfField ctx={ctx} />
            <button type="submit" id="channel-follow">
              {props.following ? 'Unfollow' : 'Follow'}
            </button>
          </form>
        ) : (
          <a href={`/login?next=${encodeURIComponent(base)}`}>Log in to follow</a>
        )}
        {props.editable ? (
          <a href={`${base}/edit`} id="channel-edit">
            Edit channel
          </a>
        ) : null}
      </div>
      <p class="channel-feeds">
        Subscribe: <a href={feeds.rss}>RSS</a> · <a href={feeds.atom}>Atom</a> ·{' '}
        <a href={feeds.json}>JSON Feed</a> · <a href="/feeds/channels.opml">OPML (every channel)</a>
      </p>
      {channel.description ? (
        <div class="description" id="channel-description">
          {renderMarkdown(channel.description)}
        </div>
      ) : null}
      <ListingSection listing={props.listing} base={base} empty="This channel is empty so far." />
    </Layout>
  );
}

export function ChannelsPage(props: {
  ctx: PageContext;
  channels: readonly Channel[];
  page: number;
  pages: number;
}): Html {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title="Channels">
      <h1>Channels</h1>
      {ctx.visitor.user ? (
        <p>
          <a href="/channels/new" id="new-channel">
            Create a channel
          </a>
        </p>
      ) : null}
      <ChannelList channels={props.channels} id="channels" empty="No channels yet." />
      <Pagination
        page={props.page}
        pages={props.pages}
        href={(page) => (page > 1 ? `/channels?page=${page}` : '/channels')}
      />
      <p>
        <a href="/feeds/channels.opml">Every channel as OPML</a>
      </p>
    </Layout>
  );
}

export function SubscriptionsPage(props: {
  ctx: PageContext;
  items: readonly CardItem[];
  channels: readonly Channel[];
  /** The next (older) page's `before`, when there is one. */
  older?: number;
  /** This is an older page. */
  paged: boolean;
}): Html {
  return (
    <Layout ctx={props.ctx} title="Subscriptions">
      <h1>Subscriptions</h1>
      <section aria-labelledby="subscriptions-items-title">
        <h2 id="subscriptions-items-title">New from the channels you follow</h2>
        <ItemGrid
          id="subscription-items"
          items={props.items}
          empty={
            props.channels.length === 0
              ? 'Follow channels to see their new items here.'
              : 'Nothing new in the channels you follow.'
          }
        />
        <nav aria-label="Pages">
          <ul class="pagination">
            {props.paged ? (
              <li>
                <a href="/subscriptions">Newest</a>
              </li>
            ) : null}
            {props.older !== undefined ? (
              <li>
                <a href={`/subscriptions?before=${props.older}`} rel="next">
                  Older →
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
      </section>
      <section aria-labelledby="subscriptions-channels-title">
        <h2 id="subscriptions-channels-title">Channels you follow</h2>
        <ChannelList
          channels={props.channels}
          id="followed-channels"
          empty="None yet: open a channel and choose Follow."
        />
        <p>
          <a href="/channels">Browse channels</a>
        </p>
      </section>
    </Layout>
  );
}
