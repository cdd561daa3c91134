/**
 * A private network namespace whose loopback carries IPv4 multicast, for tests of local service
 * discovery (BEP 14): `ip netns add`, then inside it `ip link set lo up`, `ip link set lo multicast
 * on` and `ip route add 239.0.0.0/8 dev lo src 127.0.0.1` (without `src` the kernel finds no address
 * of link scope on lo and sends multicast from 0.0.0.0, which libtorrent and we drop). Processes run
 * inside with `ip netns exec`; the namespace is deleted when the test ends. Nothing else on the
 * machine hears the announces, and the multicast group and port are the real ones.
 *
 * Needs root and iproute2: skipped loudly without them, a failure under CI=true.
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';

export interface Namespace {
  name: string;
  /** `command args...` run inside the namespace. */
  wrap(command: string, args: string[]): [string, string[]];
}

function unavailable(t: TestContext, why: string): undefined {
  const message = `a network namespace with multicast on loopback is needed: ${why}`;
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** SKIPPED "${t.name}": ${message} ***\n\n`);
  t.skip(message);
  return undefined;
}

const IPV4_SETUP =
  'ip link set lo up; ip link set lo multicast on; ip route add 239.0.0.0/8 dev lo src 127.0.0.1';
/**
 * IPv6 only (IPv6 multicast is not looped back on lo): a veth pair whose end `lsd0` has `fd00::1`
 * and the multicast route; no IPv4 route for 239/8, so IPv4 discovery cannot join.
 */
const IPV6_SETUP =
  'ip link set lo up; ip link add lsd0 type veth peer name lsd1; ip link set lsd1 up; ip link set lsd0 up; ' +
  'ip -6 addr add fd00::1/64 dev lsd0 nodad; ip -6 route add multicast ff00::/8 dev lsd0 table local';

/**
 * A fresh namespace with multicast on its loopback (or, with `ipv6`, on a veth pair with IPv6 only),
 * or undefined when the test was skipped.
 */
export function multicastNamespace(t: TestContext, options: { ipv6?: boolean } = {}): Namespace | undefined {
  if (process.getuid?.() !== 0) return unavailable(t, 'run as root');
  if (spawnSync('sh', ['-c', 'command -v ip'], { stdio: 'ignore' }).status !== 0)
    return unavailable(t, 'install iproute2');
  const name = `seedcast-lsd-${process.pid}-${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) return unavailable(t, `ip netns add: ${add.stderr.trim()}`);
  t.after(() => {
    spawnSync('ip', ['netns', 'del', name]);
  });
  const setup = spawnSync(
    'ip',
    ['netns', 'exec', name, 'sh', '-ec', options.ipv6 ? IPV6_SETUP : IPV4_SETUP],
    { encoding: 'utf8' },
  );
  if (setup.status !== 0) return unavailable(t, `setting up loopback multicast: ${setup.stderr.trim()}`);
  return { name, wrap: (command, args) => ['ip', ['netns', 'exec', name, command, ...args]] };
}
