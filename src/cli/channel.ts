/**
 * `seedcast channel`: channels on a Seedcast site through its API. `create <name> --title T
 * [--description D] --server URL --token T` (`POST /api/v1/channels`; prints the channel's URL) and
 * `list --server URL [--json]` (`GET /api/v1/channels`: one channel a line, or the JSON answer).
 * Bad usage exits 2; a refusal or an unreachable site exits 1 with a one-line reason.
 */

import { SeedcastError } from '../errors.js';
import { parseCommandArgs, stringFlag } from './args.js';
import type { Command } from './command.js';

interface ApiError {
  error?: { code: string; message: string };
}

/** A one-line failure (exit code 1) that is not a usage error. */
function failure(message: string): Error {
  return Object.assign(new Error(message), { code: 'SITE' });
}

function serverUrl(value: string | undefined): URL {
  if (!value || !/^https?:\/\//.test(value))
    throw new SeedcastError('USAGE', '--server must be an http(s) URL');
  try {
    return new URL(value.endsWith('/') ? value : `${value}/`);
  } catch {
    throw new SeedcastError('USAGE', '--server must be an http(s) URL');
  }
}

async function call<T>(url: URL, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw failure(`cannot reach ${url.origin}: ${(err as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as (T & ApiError) | undefined;
  if (!response.ok) {
    const reason = body?.error ? body.error.message : `HTTP ${response.status}`;
    throw failure(`the site refused (${response.status}): ${reason}`);
  }
  if (body === undefined) throw failure('the site answered without JSON');
  return body;
}

interface ChannelJson {
  name: string;
  title: string;
  url: string;
  owner: string | null;
  followers: number;
}

async function create(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, {
    server: { type: 'string' },
    token: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
  });
  const [name, ...extra] = args.positionals;
  if (name === undefined) throw new SeedcastError('USAGE', 'give the channel name');
  if (extra.length > 0) throw new SeedcastError('USAGE', `unexpected argument "${extra[0]}"`);
  const server = serverUrl(stringFlag(args, 'server'));
  const token = stringFlag(args, 'token');
  if (!token) throw new SeedcastError('USAGE', '--token is required');
  const title = stringFlag(args, 'title');
  if (!title) throw new SeedcastError('USAGE', '--title is required');
  const description = stringFlag(args, 'description');
  const made = await call<{ url: string }>(new URL('api/v1/channels', server), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, title, ...(description !== undefined ? { description } : {}) }),
  });
  process.stdout.write(`${made.url}\n`);
  return 0;
}

async function list(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { server: { type: 'string' }, json: { type: 'boolean' } });
  if (args.positionals.length > 0)
    throw new SeedcastError('USAGE', `unexpected argument "${args.positionals[0]}"`);
  const server = serverUrl(stringFlag(args, 'server'));
  const all: ChannelJson[] = [];
  let total = 0;
  do {
    const page = await call<{ total: number; channels: ChannelJson[] }>(
      new URL(`api/v1/channels?limit=200&offset=${all.length}`, server),
      { headers: { Accept: 'application/json' } },
    );
    total = page.total;
    all.push(...page.channels);
    if (page.channels.length === 0) break;
  } while (all.length < total && all.length < 100_000);
  if (args.values.json) {
    process.stdout.write(`${JSON.stringify({ total, channels: all }, null, 2)}\n`);
    return 0;
  }
  for (const c of all) process.stdout.write(`${c.name}\t${c.title}\t${c.url}\n`);
  return 0;
}

export const channel: Command = {
  help: `Usage: seedcast channel create <name> --title T [--description D] --server URL --token T
       seedcast channel list --server URL [--json]

Creates or lists channels on a Seedcast site.

  create <name>      make a channel (name: 2-64 lower-case letters, digits or "-"); prints its URL
    --title T          the channel's title (required)
    --description D    its description (Markdown)
    --token T          an API token (the site's account page, or POST /api/v1/tokens)
  list               every channel, newest first: name, title and URL a line (tab-separated)
    --json             the site's JSON answer instead
  --server URL       the site, e.g. https://media.example.org
  -h, --help         show this help

Exit codes: 0 done, 1 the site refused or cannot be reached (one line on stderr), 2 bad usage.`,

  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'create') return create(rest);
    if (sub === 'list') return list(rest);
    throw new SeedcastError(
      'USAGE',
      sub === undefined ? 'give create or list' : `unknown subcommand "${sub}"`,
    );
  },
};
