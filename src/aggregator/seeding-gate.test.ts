import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Aggregator } from './aggregator.js';
import type { PowerState } from './power.js';
import { appOpenWindowMs, SeedingGate } from './seeding-gate.js';
import { DEFAULT_SETTINGS, type Settings } from './state.js';

const agg = {} as Aggregator;
const settings = (seedWhen: Settings['seedWhen']): Settings => ({ ...DEFAULT_SETTINGS, seedWhen });
const power = (source: PowerState['source']) => async (): Promise<PowerState> => ({ source, detail: source });

describe('SeedingGate.decide', () => {
  it('always seeds with "always"', async () => {
    assert.deepEqual(await new SeedingGate(agg, { power: power('battery') }).decide(settings('always')), {});
  });

  it('pauses on battery with "ac-power", and counts an unknown source as AC, saying so', async () => {
    assert.match(
      (await new SeedingGate(agg, { power: power('battery') }).decide(settings('ac-power'))).pause ?? '',
      /battery/,
    );
    assert.deepEqual(await new SeedingGate(agg, { power: power('ac') }).decide(settings('ac-power')), {});
    const unknown = await new SeedingGate(agg, { power: power('unknown') }).decide(settings('ac-power'));
    assert.equal(unknown.pause, undefined);
    assert.match(unknown.note ?? '', /unknown/);
  });

  it('pauses with "app-open" once no page polled within the window, and always without an app', async () => {
    const lastSeen = { at: 1_000_000 };
    const gate = new SeedingGate(agg, { lastSeen, windowMs: 60_000 });
    assert.deepEqual(await gate.decide(settings('app-open'), 1_030_000), {});
    assert.match((await gate.decide(settings('app-open'), 1_070_000)).pause ?? '', /no app page/);
    assert.match((await new SeedingGate(agg).decide(settings('app-open'))).pause ?? '', /no app running/);
  });

  it('reads the window from SEEDCAST_APP_OPEN_WINDOW_MS', () => {
    assert.equal(appOpenWindowMs({ SEEDCAST_APP_OPEN_WINDOW_MS: '1500' }), 1500);
    assert.equal(appOpenWindowMs({}), 180_000);
  });
});
