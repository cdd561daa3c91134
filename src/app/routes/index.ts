/** Every route module of the app, in the order they are registered. */

import type { AppRoutes } from '../server.js';
import { loginRoutes } from './login.js';
import { statusRoutes } from './status.js';

export const APP_ROUTES: readonly AppRoutes[] = [statusRoutes, loginRoutes];
