/**
 * A real SMTP server on loopback for tests: Debian's python3-aiosmtpd with a handler that keeps each
 * message as a file (`smtp_capture.py`). `messages()` reads them (quoted-printable decoded bodies
 * are not needed: nodemailer sends our short ASCII text bodies as 7bit or QP, and `linkIn` undoes
 * QP soft breaks). Missing aiosmtpd skips loudly, or fails under CI=true.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, tempDir } from './tools.js';

const PYTHON = '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));

export interface MailMessage {
  to: string;
  raw: string;
}

export interface SmtpServer {
  url: string;
  port: number;
  messages(): MailMessage[];
  /** Waits for a message to `to` (the n-th, default the first), up to `timeoutMs`. */
  waitFor(to: string, options?: { count?: number; timeoutMs?: number }): Promise<MailMessage>;
  stop(): Promise<void>;
}

/** True when aiosmtpd can run; otherwise skips `t` loudly (or throws under CI=true). */
export function requireAiosmtpd(t: TestContext): boolean {
  if (spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' }).status === 0) return true;
  const message = 'missing system tool: python3-aiosmtpd (install it: see .ci/run)';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
  t.skip(message);
  return false;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Decodes quoted-printable soft line breaks and `=3D`, enough to find a URL in a body. */
export function unfoldQp(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
}

/** The first link to `path` (e.g. `/reset-password`) in a message. */
export function linkIn(message: MailMessage, path: string): string {
  const match = new RegExp(`https?://[^\\s"<>]+${path}\\?token=[A-Za-z0-9_%-]+`).exec(unfoldQp(message.raw));
  if (!match) throw new Error(`no ${path} link in the mail:\n${message.raw}`);
  return match[0];
}

export async function startSmtp(t: TestContext): Promise<SmtpServer> {
  const folder = tempDir(t, 'seedcast-smtp-');
  const port = await freePort();
  const child: ChildProcess = spawn(
    PYTHON,
    ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'smtp_capture.Capture', folder],
    {
      env: { ...process.env, PYTHONPATH: HERE, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const deadline = Date.now() + 15_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`aiosmtpd did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const messages = (): MailMessage[] =>
    readdirSync(folder)
      .filter((f) => f.endsWith('.eml'))
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
      .map((f) => {
        const raw = readFileSync(join(folder, f), 'utf8');
        return { to: /^X-Rcpt-To: (.*)$/m.exec(raw)?.[1]?.trim() ?? '', raw };
      });
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    async waitFor(to, options = {}) {
      const until = Date.now() + (options.timeoutMs ?? 15_000);
      const count = options.count ?? 1;
      for (;;) {
        const found = messages().filter((m) => m.to === to);
        if (found.length >= count) return found[count - 1]!;
        if (Date.now() > until)
          throw new Error(`no mail #${count} to ${to} (got ${messages().length} in all)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
