/**
 * The admin jobs view through `app.inject()` on a real SQLite file: `GET /api/v1/admin/jobs` and
 * `/admin/jobs` are for admins only; they show a running job with its progress and a failed one
 * with its error; retrying the failed job (API, or the page's button with the CSRF field) queues it
 * again, and it then runs.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { login, openTestSite } from '../../../test/site-fixtures.js';
import { openDatabase } from '../../db/index.js';
import { eventually, FAST } from '../../jobs/contract.js';
import { EmbeddedJobQueue } from '../../jobs/index.js';

test('admins list jobs with progress and errors, and retry a failed job (API and page)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-jobs-admin-'));
  const db = await openDatabase({ sqlite: join(dir, 'site.db') });
  const queue = new EmbeddedJobQueue(db, FAST);
  const s = await openTestSite(db, { jobs: queue });
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  let fail = true;
  const workers = queue.work(
    {
      hold: async (ctx) => {
        ctx.progress(0.4);
        await held;
      },
      boom: async () => {
        if (fail) throw new Error('disk on fire');
      },
    },
    { concurrency: 2 },
  );
  t.after(async () => {
    release();
    await workers.close();
    await s.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  const root = await login(s.app, 'root'); // the first account is the admin
  const bob = await login(s.app, 'bob');

  const running = await queue.enqueue({ kind: 'hold', itemId: 1 });
  const failing = await queue.enqueue({ kind: 'boom', maxAttempts: 1 });
  await eventually('progress', async () => (await queue.get(running.id))?.progress === 0.4);
  await eventually('the failure', async () => (await queue.get(failing.id))?.state === 'failed');

  assert.equal((await s.app.inject({ url: '/api/v1/admin/jobs' })).statusCode, 401);
  assert.equal((await s.app.inject({ url: '/api/v1/admin/jobs', headers: bob })).statusCode, 403);
  const all = await s.app.inject({ url: '/api/v1/admin/jobs', headers: root });
  assert.equal(all.statusCode, 200, all.body);
  const body = all.json();
  assert.equal(body.backend, 'embedded');
  assert.equal(body.counts.running, 1);
  assert.equal(body.counts.failed, 1);
  const failed = await s.app.inject({ url: '/api/v1/admin/jobs?state=failed', headers: root });
  assert.deepEqual(
    failed.json().jobs.map((j: { id: string; error: string }) => [j.id, j.error]),
    [[failing.id, 'disk on fire']],
  );
  const runningJson = (await s.app.inject({ url: '/api/v1/admin/jobs?state=running', headers: root })).json();
  assert.equal(runningJson.jobs[0].progress, 0.4);
  assert.equal(runningJson.jobs[0].itemId, 1);
  assert.equal((await s.app.inject({ url: '/api/v1/admin/jobs?state=nope', headers: root })).statusCode, 400);

  // Retry through the API: a running job cannot be retried; the failed one can.
  const notNow = await s.app.inject({
    method: 'POST',
    url: `/api/v1/admin/jobs/${running.id}/retry`,
    headers: root,
  });
  assert.equal(notNow.statusCode, 409);
  const missing = await s.app.inject({
    method: 'POST',
    url: '/api/v1/admin/jobs/424242/retry',
    headers: root,
  });
  assert.equal(missing.statusCode, 404);
  const again = await s.app.inject({
    method: 'POST',
    url: `/api/v1/admin/jobs/${failing.id}/retry`,
    headers: bob,
  });
  assert.equal(again.statusCode, 403);
  await eventually('the failure again', async () => (await queue.get(failing.id))?.state === 'failed');
  const retried = await s.app.inject({
    method: 'POST',
    url: `/api/v1/admin/jobs/${failing.id}/retry`,
    headers: root,
  });
  assert.equal(retried.statusCode, 200, retried.body);
  await eventually('the second failure', async () => (await queue.get(failing.id))?.state === 'failed');

  // The page: visitors log in, other accounts are refused; the admin sees progress, the error, a Retry button.
  const anonymous = await s.app.inject({ url: '/admin/jobs' });
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/login?next=%2Fadmin%2Fjobs');
  const session = async (name: string) => {
    const user = (await s.site.users.byName(name))!;
    const { cookie } = await s.site.sessions.create(user.id);
    const page = await s.app.inject({ url: '/', headers: { cookie: `sc_session=${cookie}` } });
    return {
      cookie: `sc_session=${cookie}`,
      csrf: /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!,
    };
  };
  const bobSession = await session('bob');
  assert.equal(
    (await s.app.inject({ url: '/admin/jobs', headers: { cookie: bobSession.cookie } })).statusCode,
    403,
  );
  const admin = await session('root');
  const page = await s.app.inject({ url: '/admin/jobs', headers: { cookie: admin.cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /1 running, 0 queued, 1 failed/);
  assert.match(page.body, /<progress max="1" value="0.4"/);
  assert.match(page.body, /40%/);
  assert.match(page.body, /disk on fire/);
  assert.match(page.body, new RegExp(`action="/admin/jobs/${failing.id}/retry"`));

  const form = {
    cookie: admin.cookie,
    'content-type': 'application/x-www-form-urlencoded',
  };
  const noCsrf = await s.app.inject({
    method: 'POST',
    url: `/admin/jobs/${failing.id}/retry`,
    headers: form,
    payload: '',
  });
  assert.equal(noCsrf.statusCode, 403);
  fail = false;
  const button = await s.app.inject({
    method: 'POST',
    url: `/admin/jobs/${failing.id}/retry`,
    headers: form,
    payload: new URLSearchParams({ _csrf: admin.csrf }).toString(),
  });
  assert.equal(button.statusCode, 303);
  assert.equal(button.headers.location, '/admin/jobs?done=retried');
  await eventually('the retried job to run', async () => (await queue.get(failing.id))?.state === 'done');
  const after = await s.app.inject({ url: '/admin/jobs?done=retried', headers: { cookie: admin.cookie } });
  assert.match(after.body, /The job was queued again/);
  assert.match(after.body, /0 failed, 1 done/);
});
