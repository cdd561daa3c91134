import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { linuxPower, parsePmset, powerState } from './power.js';

function sysfs(t: TestContext, supplies: Record<string, { type: string; online?: string }>): string {
  const root = mkdtempSync(join(tmpdir(), 'seedcast-power-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [name, s] of Object.entries(supplies)) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'type'), `${s.type}\n`);
    if (s.online !== undefined) writeFileSync(join(root, name, 'online'), `${s.online}\n`);
  }
  return root;
}

describe('linuxPower', () => {
  it('a laptop plugged in is on AC', async (t) => {
    const root = sysfs(t, { AC: { type: 'Mains', online: '1' }, BAT0: { type: 'Battery' } });
    assert.equal((await linuxPower(root)).source, 'ac');
  });

  it('a laptop unplugged is on battery', async (t) => {
    const root = sysfs(t, { ADP1: { type: 'Mains', online: '0' }, BAT0: { type: 'Battery' } });
    assert.deepEqual(await linuxPower(root), { source: 'battery', detail: 'on battery' });
  });

  it('a machine without a battery is on AC', async (t) => {
    const root = sysfs(t, {});
    assert.equal((await linuxPower(root)).source, 'ac');
    assert.match((await linuxPower(root)).detail, /no battery/);
  });

  it('no power supply folder is unknown', async () => {
    assert.equal((await linuxPower('/nonexistent/power_supply')).source, 'unknown');
  });

  it('answers something on this machine', async () => {
    assert.ok(['ac', 'battery', 'unknown'].includes((await powerState()).source));
  });
});

describe('parsePmset', () => {
  it('reads AC power', () => {
    const out =
      "Now drawing from 'AC Power'\n -InternalBattery-0 (id=1234)\t100%; charged; 0:00 remaining present: true\n";
    assert.equal(parsePmset(out).source, 'ac');
  });

  it('reads battery power', () => {
    const out =
      "Now drawing from 'Battery Power'\n -InternalBattery-0 (id=1234)\t85%; discharging; 4:12 remaining present: true\n";
    assert.equal(parsePmset(out).source, 'battery');
  });

  it('anything else is unknown', () => {
    assert.equal(parsePmset('pmset: no batteries\n').source, 'unknown');
  });
});
