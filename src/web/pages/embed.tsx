/**
 * The bare player page that oEmbed's `html` frames (`/items/:id/embed`): the item's media element
 * (video, audio or image) filling the frame, or a link to the item page for other media.
 */

import type { FeedEntry } from '../../feeds/index.js';
import { type Html, h } from '../html/jsx.js';
import { type P2pView, p2pAttributes } from './p2p-notice.js';

const STYLE =
  'html,body,#player{margin:0;height:100%;background:#000}video,img{width:100%;height:100%;object-fit:contain}audio{width:100%}p{margin:0;padding:1em}a{color:#fff}';

export function EmbedPage(props: { entry: FeedEntry; p2p?: P2pView }): Html {
  const e = props.entry;
  const type = e.media?.type ?? '';
  const src = e.media?.url;
  const player = type.startsWith('video/') ? (
    // biome-ignore lint/a11y/useMediaCaption: publishers cannot upload caption tracks yet (docs/site-pages.md, todo)
    <video controls preload="metadata" src={src} poster={e.thumbnail ?? undefined} title={e.title} />
  ) : type.startsWith('audio/') ? (
    // biome-ignore lint/a11y/useMediaCaption: publishers cannot upload caption tracks yet (docs/site-pages.md, todo)
    <audio controls preload="metadata" src={src} title={e.title} />
  ) : type.startsWith('image/') ? (
    <img src={src} alt={e.title} />
  ) : (
    <p>
      <a href={e.link} target="_blank" rel="noopener">
        {e.title}
      </a>
    </p>
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{e.title}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <style>{STYLE}</style>
      </head>
      <body>
        <div id="player" {...p2pAttributes(props.p2p)}>
          {player}
        </div>
      </body>
    </html>
  );
}
