/** The bundle's entry (`/static/player.js`): starts the player on the page that loads it. */

import { main } from './player.js';

main();
