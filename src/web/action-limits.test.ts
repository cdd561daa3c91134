import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { User } from '../catalog/index.js';
import { ActionLimiter, addressKey, installActionLimiter, limitAction } from './action-limits.js';
import { installErrorHandlers } from './errors.js';
import { siteLimits } from './limits.js';

const bea: User = { id: 2, username: 'bea', role: 'user', createdAt: 0, disabled: false };

function appWith(limits = siteLimits({ actions: { comments: { max: 3, timeWindow: 60_000 } } })) {
  const app = Fastify();
  installErrorHandlers(app);
  installActionLimiter(app, new ActionLimiter(limits));
  app.post<{ Querystring: { as?: string; fail?: string; slow?: string } }>('/act', async (request, reply) => {
    const user = request.query.as === 'bea' ? bea : undefined;
    limitAction(reply, { action: 'comments', user });
    if (request.query.slow) await new Promise((r) => setTimeout(r, 50));
    if (request.query.fail) return reply.code(400).send({ error: { code: 'USAGE', message: 'no' } });
    return { ok: true };
  });
  return app;
}

test('a burst of parallel actions cannot overshoot the budget', async () => {
  const app = appWith();
  const codes = await Promise.all(
    Array.from({ length: 10 }, () => app.inject({ method: 'POST', url: '/act?as=bea&slow=1' })),
  ).then((all) => all.map((r) => r.statusCode).sort());
  assert.deepEqual(codes, [200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
  const big = await app.inject({
    method: 'POST',
    url: '/act?as=bea',
    payload: 'x'.repeat(100_000),
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(big.statusCode, 429);
  assert.equal(big.headers.connection, 'close', 'a refused large body is not read to the end');
});

test('an account budget follows the account across addresses; anonymous actions follow the address', async () => {
  const app = appWith();
  for (const remoteAddress of ['192.0.2.1', '192.0.2.2', '192.0.2.3'])
    assert.equal((await app.inject({ method: 'POST', url: '/act?as=bea', remoteAddress })).statusCode, 200);
  const moved = await app.inject({ method: 'POST', url: '/act?as=bea', remoteAddress: '192.0.2.4' });
  assert.equal(moved.statusCode, 429);
  assert.ok(Number(moved.headers['retry-after']) > 50);
  // anonymous visitors from one IPv6 /64 share a budget, another /64 has its own
  for (let i = 1; i <= 3; i++)
    assert.equal(
      (await app.inject({ method: 'POST', url: '/act', remoteAddress: `2001:db8:1:2::${i}` })).statusCode,
      200,
    );
  assert.equal(
    (await app.inject({ method: 'POST', url: '/act', remoteAddress: '2001:db8:1:2:ffff::9' })).statusCode,
    429,
  );
  assert.equal(
    (await app.inject({ method: 'POST', url: '/act', remoteAddress: '2001:db8:1:3::1' })).statusCode,
    200,
  );
});

test('refusals do not use the budget; they are limited per address on their own', async () => {
  const app = appWith(
    siteLimits({
      actions: { comments: { max: 3, timeWindow: 60_000 } },
      failures: { max: 4, timeWindow: 60_000 },
    }),
  );
  const codes: number[] = [];
  for (let i = 0; i < 6; i++)
    codes.push((await app.inject({ method: 'POST', url: '/act?as=bea&fail=1' })).statusCode);
  assert.deepEqual(codes, [400, 400, 400, 400, 429, 429]);
  // bea elsewhere still has her whole budget
  for (let i = 0; i < 3; i++)
    assert.equal(
      (await app.inject({ method: 'POST', url: '/act?as=bea', remoteAddress: '192.0.2.9' })).statusCode,
      200,
    );
});

test('addresses are counted as IPv4, or IPv6 by /64', () => {
  assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
  assert.equal(addressKey('2001:db8:a:b:1:2:3:4'), addressKey('2001:db8:a:b::9'));
  assert.notEqual(addressKey('2001:db8:a:b::1'), addressKey('2001:db8:a:c::1'));
});
