/**
 * The compact player page of a collection (`/embed/collections/:id`, framed by other sites): the
 * current item's media element (video, audio or image; a link for other media) above the ordered
 * list of items, each a link that plays it in the frame (`?item=ID`). No scripts (the embed CSP).
 */

import type { FeedEntry } from '../../feeds/index.js';
import { type Html, h } from '../html/jsx.js';

const STYLE =
  'html,body{margin:0;background:#000;color:#eee;font:14px/1.4 system-ui,sans-serif;height:100%}body{display:flex;flex-direction:column}#player{flex:1 1 auto;min-height:0}video,img{width:100%;height:100%;object-fit:contain;display:block}audio{width:100%;margin-top:1em}p{margin:0;padding:.5em 1em}a{color:#cde}ol{flex:0 0 auto;max-height:40%;overflow:auto;margin:0;padding:.25em 1em .5em 2.5em;background:#111}li[aria-current]{font-weight:bold}h1{font-size:1em;margin:0;padding:.4em 1em;background:#111}';

function Player(props: { entry: FeedEntry | undefined }): Html {
  const e = props.entry;
  if (!e) return <p>This collection has no items yet.</p>;
  const type = e.media?.type ?? '';
  const src = e.media?.url;
  if (type.startsWith('video/'))
    // biome-ignore lint/a11y/useMediaCaption: the item page carries the caption tracks
    return <video controls preload="metadata" src={src} poster={e.thumbnail ?? undefined} title={e.title} />;
  if (type.startsWith('audio/'))
    // biome-ignore lint/a11y/useMediaCaption: the item page carries the caption tracks
    return <audio controls preload="metadata" src={src} title={e.title} />;
  if (type.startsWith('image/')) return <img src={src} alt={e.title} />;
  return (
    <p>
      <a href={e.link} target="_blank" rel="noopener">
        {e.title}
      </a>
    </p>
  );
}

export function CollectionEmbedPage(props: {
  title: string;
  pageUrl: string;
  embedPath: string;
  entries: FeedEntry[];
  current: FeedEntry | undefined;
}): Html {
  const { entries, current } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{props.title}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <style>{STYLE}</style>
      </head>
      <body>
        <h1>
          <a href={props.pageUrl} target="_blank" rel="noopener">
            {props.title}
          </a>
        </h1>
        <div id="player">
          <Player entry={current} />
        </div>
        <ol id="playlist">
          {entries.map((e) => (
            <li aria-current={e.id === current?.id ? 'true' : undefined} data-item-id={e.id}>
              <a href={`${props.embedPath}?item=${e.id}`}>{e.title}</a>
            </li>
          ))}
        </ol>
      </body>
    </html>
  );
}
