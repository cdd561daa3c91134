import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { appKit } from '../../../test/helpers/app-kit.js';
import { loadState } from '../../aggregator/index.js';
import { settingsRoutes } from './settings.js';
import { sharingRoutes } from './sharing.js';

async function app(t: TestContext) {
  const kit = await appKit(t, [settingsRoutes, sharingRoutes]);
  return { home: kit.home, engine: kit.engine, web: kit.app, headers: kit.headers, secret: kit.ctx.secret };
}

describe('settings routes', () => {
  it('PATCH /api/settings saves and applies (the engine upload limit), GET reads it', async (t) => {
    const { home, engine, web, headers } = await app(t);
    const res = await web.inject({
      method: 'PATCH',
      url: '/api/settings',
      headers,
      payload: { uploadRateLimit: 51200, seedWhen: 'ac-power', seedHours: 48 },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().settings.uploadRateLimit, 51200);
    assert.equal(engine.uploadRateLimit, 51200);
    const saved = await loadState(home);
    assert.equal(saved.settings.seedWhen, 'ac-power');
    assert.equal(saved.settings.seedHours, 48);
    const got = await web.inject({ method: 'GET', url: '/api/settings', headers });
    assert.equal(got.json().settings.uploadRateLimit, 51200);
  });

  it('refuses wrong values with a clear message', async (t) => {
    const { web, headers } = await app(t);
    const res = await web.inject({
      method: 'PATCH',
      url: '/api/settings',
      headers,
      payload: { concurrency: 0, seedWhen: 'sometimes' },
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /Downloads at once must be between 1 and 20/);
    assert.match(res.json().error.message, /Seed when must be one of/);
  });

  it('the form converts units, and shows a message under a wrong field', async (t) => {
    const { home, engine, web, headers, secret } = await app(t);
    const form = (fields: Record<string, string>) =>
      web.inject({
        method: 'POST',
        url: '/settings',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: new URLSearchParams({ _csrf: secret.csrf, ...fields }).toString(),
      });
    const ok = await form({
      diskBudget: '500',
      uploadRate: '64',
      seedRatio: '1.5',
      seedDays: '2',
      seedWhen: 'app-open',
      concurrency: '2',
      swarmTimeout: '30',
    });
    assert.equal(ok.statusCode, 303, ok.body);
    const s = (await loadState(home)).settings;
    assert.deepEqual(
      [
        s.diskBudgetBytes,
        s.uploadRateLimit,
        s.seedRatio,
        s.seedHours,
        s.seedWhen,
        s.concurrency,
        s.swarmTimeout,
      ],
      [500_000_000, 65536, 1.5, 48, 'app-open', 2, 30],
    );
    assert.equal(engine.uploadRateLimit, 65536);
    const bad = await form({ uploadRate: '-5', concurrency: 'many' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /id="settings-uploadRate-error">Must be 0 or more/);
    assert.match(bad.body, /id="settings-concurrency-error">Enter a number/);
  });

  it('GET /api/sharing and /sharing answer on an empty library', async (t) => {
    const { web, headers } = await app(t);
    const res = await web.inject({ method: 'GET', url: '/api/sharing', headers });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().episodes, []);
    const page = await web.inject({
      method: 'GET',
      url: '/sharing',
      headers: { ...headers, accept: 'text/html' },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /id="sharing-total"/);
  });
});
