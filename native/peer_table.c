/*
 * peer_table: the peer tables of the swarm store in C (see peer_table.h), with the semantics of
 * src/tracker/stores/peer-table.ts, which is their specification.
 *
 * A table holds one swarm's peers of one address family in one malloc'd block: an index of peer
 * ids (2 * cap entries, record + 1, 0 = empty, linear probing, backward-shift deletion; the entries
 * are 16 bits wide up to PT_NARROW_MAX records, 32 above) followed by `cap` dense fixed-size
 * records laid out as in peer-table.ts:
 *
 *     0       20 B  peer id
 *     20      A  B  address (A = 4 or 16), network order
 *     20+A    2  B  port, big-endian       (bytes 20 .. 22+A are the BEP 23 / BEP 7 compact form)
 *     22+A    1  B  flags (bit 0: seeder)
 *     23+A    1  B  unused
 *     24+A    4  B  last seen, seconds     (host order: the records never leave the addon)
 *     28+A    4  B  key
 *
 * 36 bytes for IPv4, 48 for IPv6, plus 4 bytes of index per record of capacity (8 in tables of
 * more than PT_NARROW_MAX records), where MemoryStore's tables take 8. Records stay dense (a
 * removed record's place is taken by the last one), the capacity doubles when full and halves below
 * a quarter, so picking peers is a walk over contiguous memory from a random start, which comes
 * from the store's xorshift64* generator (peer_ctx.rng).
 */

#include "peer_table.h"

#include <stdlib.h>
#include <string.h>

/* ---- randomness ---- */

static uint64_t next_random(peer_ctx *c) {
  uint64_t x = c->rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  c->rng = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* A random number in [0, n). */
static uint32_t random_below(peer_ctx *c, uint32_t n) {
  return (uint32_t)(((next_random(c) >> 32) * (uint64_t)n) >> 32);
}

/* ---- blocks and their index ---- */

/* Entry i of the index of a block of `cap` records. */
static inline uint32_t ix_get(const uint8_t *mem, uint32_t cap, uint32_t i) {
  if (cap > PT_NARROW_MAX) return ((const uint32_t *)(const void *)mem)[i];
  return ((const uint16_t *)(const void *)mem)[i];
}

static inline void ix_set(uint8_t *mem, uint32_t cap, uint32_t i, uint32_t v) {
  if (cap > PT_NARROW_MAX) ((uint32_t *)(void *)mem)[i] = v;
  else ((uint16_t *)(void *)mem)[i] = (uint16_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static inline size_t block_bytes(uint32_t cap, uint32_t stride) {
  return index_bytes(cap) + (size_t)cap * stride;
}

void t_init(peer_table *t) {
  t->mem = NULL;
  t->count = 0;
  t->cap = 0;
  t->seeders = 0;
  t->oldest = PT_NEVER;
}

uint8_t *t_build(const peer_table *t, uint32_t stride, uint32_t cap, uint32_t seed) {
  uint8_t *mem = malloc(block_bytes(cap, stride));
  if (!mem) return NULL;
  uint32_t count = t ? t->count : 0;
  memset(mem, 0, index_bytes(cap));
  uint8_t *recs = mem + index_bytes(cap);
  if (count > 0) memcpy(recs, t_rec(t, stride, 0), (size_t)count * stride);
  uint32_t mask = cap * 2 - 1;
  for (uint32_t r = 0; r < count; r++) {
    uint32_t i = hash20(recs + (size_t)r * stride, seed) & mask;
    while (ix_get(mem, cap, i) != 0) i = (i + 1) & mask;
    ix_set(mem, cap, i, r + 1);
  }
  return mem;
}

void t_install(peer_ctx *c, peer_table *t, uint32_t stride, uint8_t *mem, uint32_t cap) {
  if (t->mem) {
    c->bytes -= held(block_bytes(t->cap, stride));
    free(t->mem);
  }
  t->mem = mem;
  t->cap = cap;
  c->bytes += held(block_bytes(cap, stride));
}

void t_release(peer_ctx *c, peer_table *t, uint32_t stride) {
  if (t->mem) {
    c->bytes -= held(block_bytes(t->cap, stride));
    free(t->mem);
  }
  c->peers -= t->count;
  c->seeders -= t->seeders;
  t->mem = NULL;
  t->count = 0;
  t->cap = 0;
  t->seeders = 0;
  t->oldest = PT_NEVER;
}

uint32_t t_find(const peer_table *t, uint32_t stride, const uint8_t *id, uint32_t seed) {
  if (!t->mem || t->count == 0) return PT_NIL;
  uint32_t mask = t->cap * 2 - 1;
  uint32_t i = hash20(id, seed) & mask;
  for (;;) {
    uint32_t v = ix_get(t->mem, t->cap, i);
    if (v == 0) return PT_NIL;
    if (memcmp(t_rec(t, stride, v - 1), id, 20) == 0) return v - 1;
    i = (i + 1) & mask;
  }
}

/* ---- records ---- */

void t_write(peer_ctx *c, peer_table *t, int fam, uint32_t r, const sc_announce_in *in) {
  uint32_t a = addr_len(fam);
  uint8_t *rec = t_rec(t, stride_of(fam), r);
  memcpy(rec + 20, in->ip, a);
  rec[20 + a] = (uint8_t)(in->port >> 8);
  rec[21 + a] = (uint8_t)(in->port & 0xff);
  int was = (rec[22 + a] & PT_FLAG_SEEDER) != 0;
  int now_seeder = in->seeder != 0;
  if (was != now_seeder) {
    if (now_seeder) {
      t->seeders++;
      c->seeders++;
    } else {
      t->seeders--;
      c->seeders--;
    }
  }
  rec[22 + a] = now_seeder ? PT_FLAG_SEEDER : 0;
  wr32(rec + 24 + a, in->now);
  wr32(rec + 28 + a, in->key);
  if (in->now < t->oldest) t->oldest = in->now;
}

uint32_t t_insert(peer_ctx *c, peer_table *t, int fam, const sc_announce_in *in) {
  uint32_t stride = stride_of(fam);
  uint32_t r = t->count++;
  c->peers++;
  uint8_t *rec = t_rec(t, stride, r);
  memcpy(rec, in->peer_id, 20);
  rec[22 + addr_len(fam)] = 0;
  rec[23 + addr_len(fam)] = 0;
  t_write(c, t, fam, r, in);
  uint32_t mask = t->cap * 2 - 1;
  uint32_t i = hash20(in->peer_id, c->seed) & mask;
  while (ix_get(t->mem, t->cap, i) != 0) i = (i + 1) & mask;
  ix_set(t->mem, t->cap, i, r + 1);
  return r;
}

/* The index slot that holds record `r`. */
static uint32_t t_slot_of(const peer_table *t, uint32_t stride, uint32_t r, uint32_t seed) {
  uint32_t mask = t->cap * 2 - 1;
  uint32_t i = hash20(t_rec(t, stride, r), seed) & mask;
  while (ix_get(t->mem, t->cap, i) != r + 1) i = (i + 1) & mask;
  return i;
}

/* Backward-shift deletion of record `r` from the index. */
static void t_unindex(peer_table *t, uint32_t stride, uint32_t r, uint32_t seed) {
  uint32_t mask = t->cap * 2 - 1;
  uint32_t i = t_slot_of(t, stride, r, seed);
  uint32_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    uint32_t v = ix_get(t->mem, t->cap, j);
    if (v == 0) break;
    uint32_t k = hash20(t_rec(t, stride, v - 1), seed) & mask;
    /* v moves back into the hole at i unless its home k lies cyclically in (i, j]. */
    int in_range = i <= j ? (k > i && k <= j) : (k > i || k <= j);
    if (!in_range) {
      ix_set(t->mem, t->cap, i, v);
      i = j;
    }
  }
  ix_set(t->mem, t->cap, i, 0);
}

void t_remove(peer_ctx *c, peer_table *t, int fam, uint32_t r) {
  uint32_t stride = stride_of(fam);
  if (t_is_seeder(t, fam, r)) {
    t->seeders--;
    c->seeders--;
  }
  t_unindex(t, stride, r, c->seed);
  uint32_t last = t->count - 1;
  if (r != last) {
    uint32_t slot = t_slot_of(t, stride, last, c->seed);
    ix_set(t->mem, t->cap, slot, r + 1);
    memcpy(t_rec(t, stride, r), t_rec(t, stride, last), stride);
  }
  t->count--;
  c->peers--;
  if (t->cap > 8 && (uint64_t)t->count * 4 < t->cap) {
    /* Out of memory for the smaller block: the larger one stays, which is only a waste. */
    uint8_t *mem = t_build(t, stride, t->cap >> 1, c->seed);
    if (mem) t_install(c, t, stride, mem, t->cap >> 1);
  }
}

/* ---- picking and expiring ---- */

uint32_t t_pick(peer_ctx *c, const peer_table *t, int fam, uint32_t max, uint32_t exclude,
                int skip_seeders, int64_t min_seen_in, uint8_t *out, uint8_t *ids) {
  uint32_t count = t->count;
  if (max == 0 || count == 0 || !t->mem) return 0;
  /* Every record was seen at or after `oldest`: no need to read each one's time unless older. */
  uint32_t min_seen = min_seen_in > (int64_t)t->oldest ? (uint32_t)min_seen_in : 0;
  uint32_t a = addr_len(fam);
  uint32_t stride = stride_of(fam);
  uint32_t entry = a + 2;
  const uint8_t *recs = t_rec(t, stride, 0);
  uint32_t r = random_below(c, count);
  uint32_t n = 0;
  for (uint32_t seen = 0; seen < count && n < max; seen++, r = r + 1 == count ? 0 : r + 1) {
    if (r == exclude) continue;
    const uint8_t *rec = recs + (size_t)r * stride;
    if (skip_seeders && (rec[22 + a] & PT_FLAG_SEEDER)) continue;
    if (min_seen > 0 && rd32(rec + 24 + a) < min_seen) continue;
    memcpy(out + (size_t)n * entry, rec + 20, entry);
    if (ids) memcpy(ids + (size_t)n * 20, rec, 20);
    n++;
  }
  return n;
}

uint32_t t_expire(peer_ctx *c, peer_table *t, int fam, int64_t cutoff) {
  if (!t->mem || (int64_t)t->oldest >= cutoff) return 0;
  uint32_t removed = 0;
  uint32_t oldest = PT_NEVER;
  for (uint32_t r = t->count; r-- > 0;) {
    uint32_t seen = t_last_seen(t, fam, r);
    if ((int64_t)seen < cutoff) {
      t_remove(c, t, fam, r);
      removed++;
    } else if (seen < oldest) {
      oldest = seen;
    }
  }
  t->oldest = oldest;
  return removed;
}
