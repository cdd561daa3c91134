/**
 * The bundle's entry (`/static/player.js`): on the page that loads it, the processing notice's
 * polling, the source chooser and quality menu, then the P2P player for the chosen source
 * (the original, or a derivative from the derivatives torrent).
 */

import { main } from './player.js';
import { watchProcessing } from './processing.js';
import { chooseSources } from './sources.js';

watchProcessing();
const container = document.getElementById('player');
const media = container?.querySelector<HTMLMediaElement>('video, audio');
main(container && media ? chooseSources(container, media) : undefined);
