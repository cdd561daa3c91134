import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTorrent } from './create.js';
import { parseTorrent } from './parse.js';
import { fileTreeShape, LayerTree, validRun, verifyHashRun } from './piece-layers.js';

/** Deterministic bytes (xorshift), so the trees are the same on every run. */
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A v2 torrent made by our creator of one file of `length` bytes: its root, layer and shape. */
async function v2File(t: TestContext, length: number, pieceLength: number) {
  const dir = mkdtempSync(join(tmpdir(), 'seedcast-layers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'f.bin'), bytes(length, length));
  const created = await createTorrent(join(dir, 'f.bin'), {
    version: 'v2',
    pieceLength,
    creationDate: null,
    threads: 1,
    mainThread: true,
  });
  const meta = parseTorrent(created.torrent);
  const root = meta.files[0]!.piecesRoot!;
  const layer = meta.pieceLayers.get(Buffer.from(root).toString('hex'))!;
  return { root, layer, shape: fileTreeShape(length, pieceLength) };
}

describe('BEP 52 hash runs and their proofs', () => {
  it('every run of the piece layer, with uncles up to the root, verifies against the pieces root', async (t) => {
    // 245 pieces of 32 KiB in a layer of 256: runs of 512 do not fit, runs of 2..256 do.
    const { root, layer, shape } = await v2File(t, 8_000_000, 32768);
    assert.deepEqual(shape, { height: 9, pieceLevel: 1, pieces: 245, layerWidth: 256 });
    const tree = new LayerTree(layer, shape);
    assert.ok(tree.root.equals(Buffer.from(root)));
    for (const length of [2, 8, 64, 256]) {
      for (let index = 0; index < 256; index += length) {
        const request = { baseLayer: 1, index, length, proofLayers: shape.height - 1 - 1 };
        const answer = tree.answer(request)!;
        assert.equal(answer.hashes.length, length * 32);
        assert.equal(answer.uncles.length, (shape.height - 1 - Math.log2(length)) * 32);
        assert.ok(verifyHashRun(root, shape, { ...request, ...answer }), `run ${index}+${length}`);
      }
    }
    // The run holds the layer's own hashes (then the pad hashes past the last piece).
    const first = tree.answer({ baseLayer: 1, index: 0, length: 256, proofLayers: 7 })!;
    assert.ok(first.hashes.subarray(0, layer.length).equals(Buffer.from(layer)));
    assert.equal(first.uncles.length, 0);
  });

  it('a run above the piece layer verifies too', async (t) => {
    const { root, layer, shape } = await v2File(t, 3_000_000, 16384);
    const tree = new LayerTree(layer, shape);
    const request = { baseLayer: 3, index: 4, length: 4, proofLayers: shape.height - 3 - 1 };
    assert.ok(verifyHashRun(root, shape, { ...request, ...tree.answer(request)! }));
  });

  it('a changed hash, a changed uncle, a short proof or a misplaced run fails', async (t) => {
    const { root, layer, shape } = await v2File(t, 1_000_000, 32768);
    const tree = new LayerTree(layer, shape);
    const request = { baseLayer: 1, index: 8, length: 8, proofLayers: shape.height - 2 };
    const answer = tree.answer(request)!;
    assert.ok(verifyHashRun(root, shape, { ...request, ...answer }));
    const hashes = Buffer.from(answer.hashes);
    hashes[40]! ^= 1;
    assert.equal(verifyHashRun(root, shape, { ...request, hashes, uncles: answer.uncles }), false);
    const uncles = Buffer.from(answer.uncles);
    uncles[0]! ^= 1;
    assert.equal(verifyHashRun(root, shape, { ...request, hashes: answer.hashes, uncles }), false);
    assert.equal(
      verifyHashRun(root, shape, {
        ...request,
        proofLayers: 3,
        ...tree.answer({ ...request, proofLayers: 3 })!,
      }),
      false,
      'a proof that stops below the root proves nothing',
    );
    assert.equal(verifyHashRun(root, shape, { ...request, index: 16, ...answer }), false);
  });

  it('refuses runs that do not fit the tree', async (t) => {
    const { layer, shape } = await v2File(t, 1_000_000, 32768); // 31 pieces, height 6
    const tree = new LayerTree(layer, shape);
    const ok = { baseLayer: 1, index: 0, length: 32, proofLayers: 4 };
    assert.ok(validRun(shape, ok));
    for (const bad of [
      { ...ok, length: 1 },
      { ...ok, length: 12 },
      { ...ok, length: 16, index: 8 },
      { ...ok, length: 64 },
      { ...ok, index: 32 },
      { ...ok, proofLayers: 5 },
      { ...ok, baseLayer: 6 },
    ]) {
      assert.equal(validRun(shape, bad), false, JSON.stringify(bad));
      assert.equal(tree.answer(bad), undefined);
    }
    assert.equal(
      tree.answer({ ...ok, baseLayer: 0 }),
      undefined,
      'below the piece layer: not from the layer',
    );
  });
});
