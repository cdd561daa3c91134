/** Every route module of the app, in the order they are registered. */

import type { AppRoutes } from '../server.js';
import { episodesRoutes } from './episodes.js';
import { loginRoutes } from './login.js';
import { mediaRoutes } from './media.js';
import { playerRoutes } from './player.js';
import { settingsRoutes } from './settings.js';
import { sharingRoutes } from './sharing.js';
import { showsRoutes } from './shows.js';
import { statusRoutes } from './status.js';

export const APP_ROUTES: readonly AppRoutes[] = [
  statusRoutes,
  loginRoutes,
  showsRoutes,
  episodesRoutes,
  mediaRoutes,
  playerRoutes,
  settingsRoutes,
  sharingRoutes,
];
