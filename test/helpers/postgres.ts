/**
 * A real PostgreSQL for tests: `initdb` into a temporary folder (trust auth, UTF-8, C locale), then
 * `postgres` on 127.0.0.1 at a free port with its Unix socket in the same folder, fsync off, stopped
 * after. PostgreSQL refuses to run as root, so when the tests run as root (CI) both programs run as
 * the `postgres` user (created by Debian's package) or else `nobody`, and the folder is handed to
 * that user. Without the binaries the tests that need them are skipped loudly, or fail under CI=true.
 * `describeOnEachDatabase` runs a repository's suite on SQLite and on PostgreSQL.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/db/index.js';
import { freePort } from './tools.js';

export interface PostgresServer {
  /** URL of the `postgres` maintenance database (superuser `seedcast`, no password). */
  url: string;
  port: number;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The folder with `initdb` and `postgres`: `$SEEDCAST_PG_BIN`, else the newest Debian install. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.SEEDCAST_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

/** True when PostgreSQL is installed; otherwise false after a loud message, or throws under CI. */
export function postgresAvailable(what: string): boolean {
  if (postgresBinDir()) return true;
  const message = 'missing system tool: PostgreSQL (initdb, postgres; install it: see .ci/run)';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED ${what}: ${message} ***\n\n`);
  return false;
}

/** uid/gid to run PostgreSQL as: ourselves, unless we are root. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('running as root and neither a postgres nor a nobody user exists');
}

function runToEnd(command: string, args: string[], user: { uid: number; gid: number } | undefined) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...user });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr}`)),
    );
  });
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (err) {
      last = err;
    } finally {
      await client.end().catch(() => {});
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`postgres did not become ready: ${String(last)}; log: ${log()}`);
}

export interface StartOptions {
  /** A folder kept after `stop` (benchmarks): initdb'd on first use, reused after. */
  keep?: string;
  /** More `-c name=value` settings (they follow the defaults, so they win). */
  settings?: Record<string, string>;
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found');
  const user = runAs();
  const dir = options.keep ?? mkdtempSync(join(tmpdir(), 'seedcast-pg-'));
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  mkdirSync(socket, { recursive: true });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(socket, user.uid, user.gid);
  }
  if (!existsSync(join(data, 'PG_VERSION')))
    await runToEnd(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'seedcast', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      user,
    );
  const port = await freePort();
  const child = spawn(
    join(bin, 'postgres'),
    [
      ...['-D', data, '-p', String(port), '-k', socket],
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
      ...['-c', 'full_page_writes=off', '-c', 'shared_buffers=16MB', '-c', 'max_connections=50'],
      ...Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], ...user },
  );
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    log = (log + d).slice(-4000);
  });
  const url = `postgres://seedcast@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('close', r));
      child.kill('SIGINT'); // fast shutdown
      await exited;
    }
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, () => log);
  } catch (err) {
    child.kill('SIGKILL');
    await stop();
    throw err;
  }
  return {
    url,
    port,
    async createDatabase() {
      const name = `t_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://seedcast@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

export type OpenFresh = () => Promise<Database>;

/**
 * Runs a suite once against a SQLite file and once against a real PostgreSQL started for it, handing
 * the suite a function that opens a fresh, migrated database; everything is closed after the suite.
 */
export function describeOnEachDatabase(name: string, suite: (fresh: OpenFresh) => void): void {
  describe(`${name} (SQLite)`, () => {
    let dir = '';
    let n = 0;
    const open: Database[] = [];
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'seedcast-catalog-'));
    });
    after(async () => {
      await Promise.all(open.map((db) => db.destroy()));
      rmSync(dir, { recursive: true, force: true });
    });
    suite(async () => {
      const db = await openDatabase({ sqlite: join(dir, `db-${++n}.sqlite`) });
      open.push(db);
      return db;
    });
  });

  if (!postgresAvailable(`${name} on PostgreSQL`)) return;
  describe(`${name} (PostgreSQL)`, () => {
    let server: PostgresServer | undefined;
    const open: Database[] = [];
    before(async () => {
      server = await startPostgres();
    });
    after(async () => {
      await Promise.all(open.map((db) => db.destroy()));
      await server?.stop();
    });
    suite(async () => {
      const db = await openDatabase(await server!.createDatabase());
      open.push(db);
      return db;
    });
  });
}
