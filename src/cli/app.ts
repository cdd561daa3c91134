/**
 * `seedcast app` (and `seedcast sync --ui`): runs the aggregator's sync loop, like `seedcast sync`, and
 * serves its web app on http://127.0.0.1:8181 (`--port`), opening the browser when there is a desktop
 * (`--no-open`: do not). The same `$SEEDCAST_HOME` as the CLI: `subscribe`, `feeds` and `library`
 * keep working beside it. `--listen ADDR` exposes it on purpose, behind the password in
 * `SEEDCAST_APP_PASSWORD`.
 */

import { spawn } from 'node:child_process';
import {
  Aggregator,
  applySettings,
  formatEvent,
  runSyncLoop,
  SeedingGate,
  seedcastHome,
} from '../aggregator/index.js';
import {
  createAggregatorApp,
  hashAppPassword,
  isLoopbackHost,
  loadAppAssets,
  loadAppSecret,
} from '../app/index.js';
import { Engine } from '../engine/index.js';
import { SeedcastError } from '../errors.js';
import { intFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';
import { DHT_FLAGS, DHT_HELP, dhtOption, listenWithFallback, waitForSignal } from './engine-helpers.js';
import { installLastResort } from './last-resort.js';
import { LSD_OPTION, userEngineOptions } from './lsd-option.js';

export const DEFAULT_APP_PORT = 8181;

export const app: Command = {
  help: `Usage: seedcast app [options]

Runs the aggregator (as \`seedcast sync\` does: polls your shows, downloads new episodes through
BitTorrent with HTTP as the fallback, seeds them back) with a web app to follow shows, play episodes
and see what you share, on http://127.0.0.1:${DEFAULT_APP_PORT}. It opens your browser when there is a
desktop, at a link that carries this install's key ($SEEDCAST_HOME/app-secret); other users of the
machine and other web pages cannot drive it.

Options:
  --port P               the app's HTTP port (default ${DEFAULT_APP_PORT})
  --no-open              do not open the browser (the link is printed)
  --listen ADDR          listen on ADDR (e.g. 0.0.0.0) instead of 127.0.0.1, answering any host
                         name; requires a password in SEEDCAST_APP_PASSWORD
  --bt-port N            TCP port for BitTorrent peers (default 6881, or any free port if taken)
${DHT_HELP}
  --no-lsd               do not share with machines on the local network (BEP 14)
  -q, --quiet            print only errors
  -h, --help             show this help`,

  async run(argv) {
    const args = parseCommandArgs(argv, {
      port: { type: 'string' },
      'no-open': { type: 'boolean' },
      listen: { type: 'string' },
      'bt-port': { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      ...DHT_FLAGS,
      ...LSD_OPTION,
    });
    if (args.positionals.length > 0)
      throw new SeedcastError('USAGE', `unexpected argument "${args.positionals[0]}"`);
    const port = intFlag(args, 'port') ?? DEFAULT_APP_PORT;
    const listen = stringFlag(args, 'listen') ?? '127.0.0.1';
    const quiet = args.values.quiet === true;
    const exposedOn = !isLoopbackHost(listen.includes(':') ? `[${listen}]` : listen);
    const password = process.env.SEEDCAST_APP_PASSWORD ?? '';
    if (exposedOn && password.length < 8)
      throw new SeedcastError(
        'USAGE',
        `--listen ${listen} exposes the app: set SEEDCAST_APP_PASSWORD (8 characters or more)`,
      );
    installLastResort({ name: 'app' });
    const home = seedcastHome();
    const engine = new Engine({ ...userEngineOptions(args), dht: dhtOption(args) });
    const aggregator = new Aggregator(home, {
      engine,
      onEvent: (e) => {
        const error = e.type === 'feed-error' || e.type === 'failed' || e.type === 'warning';
        if (!quiet || error) (error ? process.stderr : process.stdout).write(`${formatEvent(e)}\n`);
      },
    });
    await aggregator.open();
    const lastSeen = { at: 0 };
    const gate = new SeedingGate(aggregator, { lastSeen }); // seedWhen; window: SEEDCAST_APP_OPEN_WINDOW_MS
    let web: ReturnType<typeof createAggregatorApp> | undefined;
    try {
      await listenWithFallback(engine, intFlag(args, 'bt-port'));
      const secret = await loadAppSecret(home);
      web = createAggregatorApp({
        aggregator,
        engine,
        home,
        secret,
        assets: await loadAppAssets(),
        lastSeen,
        ...(exposedOn ? { exposed: { passwordHash: await hashAppPassword(password) } } : {}),
      });
      await web.listen({ host: listen, port });
      const shown = exposedOn
        ? `http://${listen.includes(':') ? `[${listen}]` : listen}:${port}/`
        : `http://127.0.0.1:${port}/`;
      const link = exposedOn ? shown : `${shown}?token=${secret.token}`;
      process.stdout.write(`Seedcast app: ${link}\n`);
      if (args.values['no-open'] !== true && !exposedOn) openBrowser(link);
      await applySettings(aggregator); // upload limit, disk budget
      await gate.check();
      await aggregator.resumeSeeding();
      await runSyncLoop(aggregator, { stopped: waitForSignal(), onTick: () => gate.check() });
      return 0;
    } finally {
      await web?.close();
      await aggregator.close();
      await engine.close();
    }
  },
};

/** Open `url` in the desktop's browser, when there is a desktop; never fails the command. */
function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin'
      ? 'open'
      : process.platform === 'win32'
        ? 'explorer'
        : process.env.DISPLAY || process.env.WAYLAND_DISPLAY
          ? 'xdg-open'
          : undefined;
  if (!command) return;
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener: the link is printed
  }
}
