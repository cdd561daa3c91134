/**
 * A few Seedcast DHT nodes on one address, for tests whose client wants a routing table of some size
 * before it searches (Transmission 3 does not search with one node). Usage:
 *   node --import tsx dht-nodes.ts <host> <bootstrap-port> <count> <first-port>
 * Prints "nodes up" once each has looked around, "announced <info hash>" the first time a peer
 * announces a torrent to any of them (BEP 5 `announce_peer`), then runs until killed.
 */

import { Dht } from '../../src/dht/index.js';

const [host = '127.0.0.1', bootstrap = '0', count = '12', first = '46000'] = process.argv.slice(2);
const nodes: Dht[] = [];
for (let i = 0; i < Number(count); i++) {
  const dht = new Dht({ bootstrap: [`${host}:${bootstrap}`] });
  await dht.start(Number(first) + i, host);
  nodes.push(dht);
}
const announced = new Set<string>();
for (const dht of nodes)
  dht.on('peer', (infoHash: Buffer) => {
    const hex = infoHash.toString('hex');
    if (announced.has(hex)) return;
    announced.add(hex);
    process.stdout.write(`announced ${hex}\n`);
  });
await Promise.all(nodes.map((d) => d.lookup(Buffer.alloc(20, 1))));
process.stdout.write(`nodes up: ${nodes.map((d) => d.nodeCount).join(',')}\n`);
setInterval(() => undefined, 60_000);
