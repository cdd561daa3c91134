#!/usr/bin/env node
// Copies the site's static assets (src/web/static: the stylesheet and the page script) next to the
// compiled code in dist/web/static, where `src/web/static.ts` reads them from, and the aggregator app's
// (src/app/static) to dist/app/static. Run by `npm run build`.
import { cpSync } from 'node:fs';

cpSync('src/web/static', 'dist/web/static', { recursive: true });
cpSync('src/app/static', 'dist/app/static', { recursive: true });
