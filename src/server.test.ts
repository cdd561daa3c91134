import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInsideHost } from './server.js';

test('a site on a LAN or loopback name is inside; a public address or name is not', () => {
  for (const h of ['127.0.0.1', '[::1]', '192.168.1.10', 'localhost', 'nas', 'media.local', 'box.home.arpa'])
    assert.equal(isInsideHost(h), true, h);
  for (const h of ['seedcast.example.org', '93.184.216.34', '[2606:4700::1]'])
    assert.equal(isInsideHost(h), false, h);
});
