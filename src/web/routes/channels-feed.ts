/**
 * What a channel adds to its feeds (`feeds.ts`): its avatar as the feed image (absolute URL), its
 * iTunes category, its podcast medium, and the URL its `podcast:guid` is made from: the channel's
 * own RSS address, so the guid stays the same whichever form or format of the feed is read.
 */

import type { Channel } from '../../catalog/index.js';
import type { FeedInfo } from '../../feeds/index.js';
import { channelImagePath } from '../pages/channel-parts.js';

export function channelFeedFacts(
  channel: Channel,
  root: string,
): Pick<FeedInfo, 'image' | 'category' | 'medium' | 'guidUrl'> {
  const avatar = channelImagePath(channel, 'avatar');
  return {
    ...(avatar ? { image: `${root}${avatar}` } : {}),
    ...(channel.category ? { category: channel.category } : {}),
    medium: channel.medium,
    guidUrl: `${root}/channels/${channel.slug}/feed.rss`,
  };
}
