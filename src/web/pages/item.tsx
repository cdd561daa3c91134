/**
 * The item page: the player area (`player-media.tsx`: the sources that play in browsers, best
 * first, with `preload="metadata"` so playback starts fast; images, PDFs, text previews; the
 * processing notice), the
 * metadata (title, creator, date, licence badge and link, tags linking to search), the description
 * rendered from Markdown, the download box (.torrent, magnet, direct links with sizes), the live
 * swarm (seeders, leechers, completed, bandwidth saved by the swarm; refreshed by `site.js`), the
 * archive box of a torrent-only item (`waiting for peers`, `archiving 43%`, `archived`, `failed:
 * reason`; refreshed by `site.js` too), the embed code, and the comments section.
 */

import type { Channel, Item, User } from '../../catalog/index.js';
import type { TrafficView } from '../../distribution/index.js';
import type { CaptionView, ItemMediaView } from '../../media/index.js';
import { type ArchiveStatus, archiveLabel } from '../../publishing/index.js';
import { type Child, Fragment, type Html, h } from '../html/jsx.js';
import { renderMarkdown } from '../html/markdown.js';
import { ChannelFeedLinks } from './channel-page.js';
import { EmbedPanel } from './components.js';
import { formatBytes, formatDate, formatDuration } from './format.js';
import { ItemFieldDetails } from './item-fields.js';
import { CsrfField, Layout, type PageContext } from './layout.js';
import { LicenseBadge } from './license.js';
import { P2pNotice, type P2pView, p2pAttributes } from './p2p-notice.js';
import { PlayerArea } from './player-media.js';
import { TrafficTable } from './traffic-table.js';

export interface ItemSwarm {
  seeders: number;
  leechers: number;
  completed: number;
  /** Bytes per channel and the swarm's saving (`src/distribution/traffic.ts`). */
  traffic: TrafficView;
}

export interface ItemPageData {
  item: Item;
  owner?: User;
  channel?: Channel;
  swarm: ItemSwarm;
  torrentUrl: string;
  magnet: string;
  /** URL of each file, in order. */
  fileUrls: string[];
  embedUrl: string;
  /** Index into `item.files` of the file the player shows. */
  mainFile: number;
  /** The beginning of a text file, for the preview. */
  textPreview?: string;
  thumbnailUrl?: string;
  /** Extra content for the comments section (the comments UI). */
  comments?: Child;
  /** Where archiving a torrent-only item stands; absent when the site does not archive. */
  archive?: ArchiveStatus;
  /** The P2P player's script: given, a video or audio player may stream from the swarm (`src/web/player`). */
  playerScript?: string;
  /** Whether the player may play through the swarm (viewers choose; see `p2p-notice.tsx`). */
  p2p?: P2pView;
  /** The captions and chapters panel (`item-captions.tsx`), when the site keeps captions. */
  captionsPanel?: Child;
  /** "Add to collection" for signed-in visitors (`collectionAddPanel`, `collection-add.tsx`). */
  collectionAdd?: Child;
  /** Derivatives and processing (`site.processing`; absent when the site has none). */
  media?: ItemMediaView;
  /** Caption tracks (`site.captions`; absent when the site has none). */
  captions?: CaptionView[];
}

/**
 * The P2P player's hooks on `#player` (read by `src/web/player/player.ts`): the file it plays, the
 * viewer's choice, and the live figures beside it. While P2P may be on, the element preloads nothing
 * over HTTP (the script points it at the swarm, or back to `metadata` when it cannot).
 */
function p2pHooks(data: ItemPageData): {
  attrs: Record<string, string | undefined>;
  preload: string;
  extra: Html | null;
} {
  if (!data.playerScript || !data.item.infoHash) return { attrs: {}, preload: 'metadata', extra: null };
  const on = data.p2p ? data.p2p.p2p === 'on' && !data.p2p.forced : true;
  return {
    attrs: { 'data-file-index': String(data.mainFile), ...p2pAttributes(data.p2p) },
    preload: on ? 'none' : 'metadata',
    extra: <p id="p2p-stats" class="muted p2p-stats" aria-live="polite" hidden></p>,
  };
}

function DownloadBox(props: { data: ItemPageData }): Html {
  const { item, torrentUrl, magnet, fileUrls } = props.data;
  return (
    <section class="panel" aria-labelledby="download-title" id="download">
      <h2 id="download-title">Download</h2>
      <ul class="downloads">
        <li>
          <a class="button" href={torrentUrl} id="torrent-link" download>
            .torrent file
          </a>
        </li>
        <li>
          <a class="button secondary" href={magnet} id="magnet-link">
            Magnet link
          </a>
        </li>
      </ul>
      <h3>Direct</h3>
      <ul class="downloads" id="files">
        {item.files.map((f, i) =>
          f.blobKey === null ? (
            <li>
              {f.path} <span class="muted">({formatBytes(f.length)}, only in the swarm)</span>
            </li>
          ) : (
            <li>
              <a href={fileUrls[i]}>{f.path}</a> <span class="muted">({formatBytes(f.length)})</span>
            </li>
          ),
        )}
      </ul>
    </section>
  );
}

const ARCHIVE_TEXT: Record<string, string> = {
  queued: 'The site will fetch this item from the swarm and keep a copy once earlier items are done.',
  waiting:
    "The site is looking for the publisher's seeders (through its tracker, the torrent's own trackers and the DHT) to fetch a copy. Until then only the publisher's seeders serve it.",
  archiving: 'The site is fetching this item from the swarm to keep a copy.',
  archived: 'The site keeps a copy and seeds it, with its web seed.',
  failed: 'The site tries again later.',
  'gave-up': 'Nobody sent the site any of the content for too long.',
};

/** Where archiving a torrent-only item stands, with "try again" for its owner and admins. */
function ArchiveBox(props: {
  ctx: PageContext;
  item: Item;
  archive: ArchiveStatus | undefined;
}): Html | null {
  const { ctx, item, archive } = props;
  if (!item.torrentOnly) return null;
  if (!archive)
    return (
      <section class="panel" aria-labelledby="archive-title" id="archive">
        <h2 id="archive-title">Archive</h2>
        <p>This site does not keep a copy of torrent-only items: the publisher's seeders serve it.</p>
      </section>
    );
  const viewer = ctx.visitor.user;
  const mayRetry =
    archive.state === 'failed' &&
    viewer !== undefined &&
    (viewer.id === item.ownerId || viewer.role === 'admin');
  const text =
    archive.state === 'failed' || archive.phase === 'queued'
      ? ARCHIVE_TEXT[archive.phase]
      : ARCHIVE_TEXT[archive.state];
  return (
    <section
      class="panel"
      aria-labelledby="archive-title"
      id="archive"
      data-archive-state={archive.state}
      data-archive-phase={archive.phase}
    >
      <h2 id="archive-title">Archive</h2>
      <p>
        <strong data-archive="label">{archiveLabel(archive)}</strong>
      </p>
      {archive.state === 'archiving' || (archive.state === 'waiting' && archive.progress) ? (
        <progress data-archive="progress" max="1" value={String(archive.progress ?? 0)}>
          {`${Math.floor((archive.progress ?? 0) * 100)}%`}
        </progress>
      ) : null}
      <p class="muted" data-archive="text">
        {text ?? ''}
        {archive.retryAt ? ` Next attempt: ${archive.retryAt.slice(0, 16).replace('T', ' ')} UTC.` : ''}
      </p>
      {mayRetry ? (
        <form method="post" action={`/items/${item.id}/archive`}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="secondary">
            Try again
          </button>
        </form>
      ) : null}
      {archive.state !== 'archived' && viewer !== undefined && viewer.id === item.ownerId ? (
        <p class="hint" id="archive-publisher-hint">
          Keep your BitTorrent client seeding this torrent until this says archived. To seed from another
          client, download the <a href={`/items/${item.id}.torrent`}>.torrent</a>: it lists this site's
          tracker first.
        </p>
      ) : null}
    </section>
  );
}

function SwarmBox(props: { data: ItemPageData }): Html {
  const { item, swarm } = props.data;
  return (
    <section
      class="panel"
      aria-labelledby="swarm-title"
      id="swarm"
      data-swarm-url={`/api/v1/items/${item.id}`}
    >
      <h2 id="swarm-title">Swarm</h2>
      <dl class="swarm" aria-live="polite">
        <div>
          <dt>Seeders</dt>
          <dd data-swarm="seeders">{swarm.seeders}</dd>
        </div>
        <div>
          <dt>Leechers</dt>
          <dd data-swarm="leechers">{swarm.leechers}</dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd data-swarm="completed">{swarm.completed}</dd>
        </div>
      </dl>
      <p>
        Bandwidth saved by the swarm: <strong data-swarm="saved">{formatBytes(swarm.traffic.saved)}</strong>
      </p>
      <TrafficTable traffic={swarm.traffic} />
    </section>
  );
}

export function ItemPage(props: { ctx: PageContext; data: ItemPageData }): Html {
  const { ctx, data } = props;
  const { item, owner, channel } = data;
  // The channel's feeds first: feed readers and the aggregator app take the first feed link.
  const head = (
    <>
      {channel ? <ChannelFeedLinks channel={channel} /> : null}
      <link
        rel="alternate"
        type="application/json+oembed"
        href={`/oembed?url=${encodeURIComponent(data.embedUrl.replace(/\/embed$/, ''))}&format=json`}
      />
    </>
  );
  return (
    <Layout ctx={ctx} title={item.title} head={head}>
      <div class="with-sidebar">
        <article aria-labelledby="item-title" data-item-id={item.id}>
          <PlayerArea data={{ ...data, hooks: p2pHooks(data) }} />
          {item.mediaType === 'video' || item.mediaType === 'audio' ? (
            <P2pNotice view={data.p2p} accountUrl={ctx.visitor.user ? '/account' : undefined} />
          ) : null}
          <h1 id="item-title">{item.title}</h1>
          {ctx.visitor.user && (ctx.visitor.user.id === item.ownerId || ctx.visitor.user.role === 'admin') ? (
            <p class="owner-actions" id="owner-actions">
              <a class="button secondary" href={`/items/${item.id}/edit`} id="edit-item">
                Edit
              </a>{' '}
              <a class="button secondary danger" href={`/items/${item.id}/delete`} id="delete-item">
                Delete
              </a>
            </p>
          ) : null}
          <p class="muted" id="item-meta">
            {item.creator ? <span id="item-creator">{item.creator}</span> : null}
            {item.creator ? ' · ' : null}
            {item.date ? <time datetime={item.date}>{item.date}</time> : formatDate(item.createdAt)}
            {item.durationMs ? ` · ${formatDuration(item.durationMs)}` : null} ·{' '}
            {formatBytes(item.totalLength)}
            {owner ? (
              <>
                {' · published by '}
                <a href={`/users/${encodeURIComponent(owner.username)}`}>{owner.username}</a>
              </>
            ) : null}
            {channel ? (
              <>
                {' in '}
                <a href={`/channels/${channel.slug}`}>{channel.title}</a>
              </>
            ) : null}
          </p>
          <ItemFieldDetails item={item} />
          <p>
            <LicenseBadge license={item.license} />
          </p>
          {item.tags.length > 0 ? (
            <ul class="tags" aria-label="Tags" id="tags">
              {item.tags.map((tag) => (
                <li>
                  <a href={`/search?tag=${encodeURIComponent(tag)}`} rel="tag">
                    {tag}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
          {item.description ? (
            <section class="description" id="description" aria-label="Description">
              {renderMarkdown(item.description)}
            </section>
          ) : null}
          {data.captionsPanel ?? null}
          <section aria-labelledby="comments-title" id="comments">
            <h2 id="comments-title">Comments</h2>
            {data.comments ?? <p class="muted">No comments yet.</p>}
          </section>
        </article>
        <aside>
          <DownloadBox data={data} />
          <ArchiveBox ctx={ctx} item={item} archive={data.archive} />
          <SwarmBox data={data} />
          {data.collectionAdd ?? null}
          <EmbedPanel src={data.embedUrl} title={item.title} height={360} />
        </aside>
      </div>
    </Layout>
  );
}
