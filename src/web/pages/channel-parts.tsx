/** Small pieces shared by the channel pages: image addresses, the avatar, a channel's card. */

import type { Channel } from '../../catalog/index.js';
import { type Html, h } from '../html/jsx.js';

/** The channel's avatar or banner address (versioned, so caches see a new image), or null. */
export function channelImagePath(channel: Channel, kind: 'avatar' | 'banner'): string | null {
  const key = kind === 'avatar' ? channel.avatarKey : channel.bannerKey;
  if (!key) return null;
  return `/channels/${channel.slug}/${kind}?v=${channel.updatedAt ?? channel.createdAt}`;
}

export function ChannelAvatar(props: { channel: Channel; size?: number; id?: string }): Html {
  const src = channelImagePath(props.channel, 'avatar');
  const size = props.size ?? 64;
  return src ? (
    <img class="channel-avatar" id={props.id} src={src} alt="" width={size} height={size} />
  ) : (
    <span class="channel-avatar channel-avatar-empty" aria-hidden="true">
      {props.channel.title.slice(0, 1).toUpperCase()}
    </span>
  );
}

export function ChannelList(props: { channels: readonly Channel[]; id?: string; empty: string }): Html {
  if (props.channels.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="channel-list" id={props.id}>
      {props.channels.map((c) => (
        <li>
          <a href={`/channels/${c.slug}`}>
            <ChannelAvatar channel={c} size={40} />
            <span class="channel-list-title">{c.title}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
