import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appKit } from '../../test/helpers/app-kit.js';

describe('the app static files', () => {
  it('are cached privately for a year at their versioned URL, revalidated by ETag', async (t) => {
    const kit = await appKit(t, []);
    const url = kit.ctx.assets.url('app.css');
    const current = await kit.request({ method: 'GET', url });
    assert.equal(current.statusCode, 200);
    assert.match(current.headers['content-type'] as string, /text\/css/);
    assert.equal(current.headers['cache-control'], 'private, max-age=31536000, immutable');
    const bare = await kit.request({ method: 'GET', url: '/static/app.css' });
    assert.equal(bare.headers['cache-control'], 'private, max-age=300');
    const etag = current.headers.etag as string;
    const again = await kit.request({ method: 'GET', url, headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal((await kit.request({ method: 'GET', url: '/static/nothing.js' })).statusCode, 404);
  });
});
