/**
 * `seedcast app` (and `seedcast sync --ui`): runs the aggregator's sync loop, like `seedcast sync`, and
 * serves its web app on http://127.0.0.1:8181 (`--port`), opening the browser when there is a desktop
 * (`--no-open`: do not). The same `$SEEDCAST_HOME` as the CLI: `subscribe`, `feeds` and `library`
 * keep working beside it. `--listen ADDR` exposes it on purpose, behind the password in
 * `SEEDCAST_APP_PASSWORD`.
 */

import { spawn } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Aggregator, applySettings, runSyncLoop, SeedingGate, seedcastHome } from '../aggregator/index.js';
import {
  createAggregatorApp,
  hashAppPassword,
  isLoopbackHost,
  loadAppAssets,
  loadAppSecret,
} from '../app/index.js';
import { SeedcastError } from '../errors.js';
import { intFlag, parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';
import { DHT_HELP, listenWithFallback, waitForSignal } from './engine-helpers.js';
import { installLastResort } from './last-resort.js';
import { applySettingFlags, isErrorEvent, LOOP_FLAGS, loopEngine, printEvent } from './sync.js';

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
                         name; requires a password of 8 characters or more in SEEDCAST_APP_PASSWORD,
                         asked for on the app's log-in page (10 wrong ones a minute, then a pause)
  --bt-port N            TCP port for BitTorrent peers (default 6881, or any free port if taken)
  --jobs, --seed-ratio, --seed-hours, --swarm-timeout, --min-free
                         the limits \`seedcast sync\` takes (saved for later runs)
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
      ...LOOP_FLAGS,
    });
    if (args.positionals.length > 0)
      throw new SeedcastError('USAGE', `unexpected argument "${args.positionals[0]}"`);
    const port = intFlag(args, 'port') ?? DEFAULT_APP_PORT;
    const listen = stringFlag(args, 'listen') ?? '127.0.0.1';
    const quiet = args.values.quiet === true;
    const exposedOn = !isLoopbackHost(listen.includes(':') ? `[${listen}]` : listen);
    const password = process.env.SEEDCAST_APP_PASSWORD ?? '';
    // Not handed down to the browser opener or anything else this process starts.
    delete process.env.SEEDCAST_APP_PASSWORD;
    if (exposedOn && [...password].length < 8)
      throw new SeedcastError(
        'USAGE',
        `--listen ${listen} exposes the app to the network: set a password of 8 characters or more in SEEDCAST_APP_PASSWORD`,
      );
    installLastResort({ name: 'app' });
    const home = seedcastHome();
    const engine = loopEngine(args);
    const aggregator = new Aggregator(home, {
      engine,
      onEvent: (e) => {
        if (!quiet || isErrorEvent(e)) printEvent(e);
      },
    });
    await aggregator.open();
    const lastSeen = { at: 0 };
    const gate = new SeedingGate(aggregator, { lastSeen }); // seedWhen; window: SEEDCAST_APP_OPEN_WINDOW_MS
    applySettingFlags(aggregator, args);
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
      // On this machine: a link with the key (no password). When exposed on one address only
      // (not 0.0.0.0 or ::), loopback is not listened on, so the link names that address.
      const named = `${listen.includes(':') ? `[${listen}]` : listen}:${port}`;
      const wildcard = listen === '0.0.0.0' || listen === '::';
      const local = !exposedOn || wildcard ? `127.0.0.1:${port}` : named;
      const link = `http://${local}/?token=${secret.token}`;
      // The browser is asked first, so that once the link is printed it was (or was not) asked.
      if (args.values['no-open'] !== true) await openBrowser(link, home);
      process.stdout.write(`Seedcast app: ${link}\n`);
      if (exposedOn)
        process.stdout.write(
          `Seedcast app on the network: http://${named}/ (log in with the password in SEEDCAST_APP_PASSWORD)\n`,
        );
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

/** The redirect file's page: on to `link` (a URL of digits, hex and `:/?=.[]`: nothing to escape). */
export function appLinkPage(link: string): string {
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${link}"><title>Seedcast app</title><p><a href="${link}">Open the Seedcast app</a></p>\n`;
}

/**
 * Open the app in the desktop's browser, when there is a desktop; never fails the command. The
 * browser is given a file (`$SEEDCAST_HOME/app-link.html`, mode 0600) that redirects to `link`, not
 * the link itself: a command line (the opener's, the browser's) is readable by every user of the
 * machine, and the link carries the key.
 */
async function openBrowser(link: string, home: string): Promise<void> {
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
    const file = join(home, 'app-link.html');
    await rm(file, { force: true });
    const fh = await open(file, 'wx', 0o600);
    try {
      await fh.writeFile(appLinkPage(link));
    } finally {
      await fh.close();
    }
    const child = spawn(command, [pathToFileURL(file).href], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener: the link is printed
  }
}
