/*
 * peer_table: one swarm's peers of one address family (peer_table.c), for the swarm store
 * (swarm_store.c), which owns the tables and reaches them only through the t_* functions here.
 *
 * What the tables share with the store that holds them is a peer_ctx (the store keeps one): the
 * totals every table changes (bytes held, peers, seeders), the seed of the peer-id hash and the
 * state of the generator that picks a random starting record. Records are laid out as in
 * src/tracker/peer-table.ts (see peer_table.c); the small accessors below are inline because the
 * store reads records on every announce.
 */
#ifndef SEEDCAST_PEER_TABLE_H
#define SEEDCAST_PEER_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "swarm_store.h"

/* No record (t_find); also the store's "no slot". */
#define PT_NIL UINT32_MAX
/* No record at all (peer_table.oldest of an empty table). */
#define PT_NEVER UINT32_MAX
#define PT_FLAG_SEEDER 1
/* Records of a table's first block; capacities are powers of two from there. */
#define PT_MIN_CAPACITY 2u
/* Past this a table does not grow (its block would be tens of gigabytes). */
#define PT_MAX_CAPACITY (1u << 30)
/* Tables of up to this many records index them with 16-bit entries (record + 1 <= 32768). */
#define PT_NARROW_MAX 32768u

typedef struct {
  /* The index (2 * cap entries) then the records (cap * stride bytes); NULL when released. */
  uint8_t *mem;
  uint32_t count;
  uint32_t cap;
  uint32_t seeders;
  /* At most the oldest `last seen` of any record (exact after an expiry; PT_NEVER when none). */
  uint32_t oldest;
} peer_table;

/* What the tables of one store share with it (and with each other). */
typedef struct {
  /* Bytes of the tables' blocks, as malloc holds them. */
  uint64_t bytes;
  /* Peers and seeders in all the tables. */
  uint64_t peers;
  uint64_t seeders;
  /* The seed of the peer-id hash. */
  uint32_t seed;
  /* The xorshift64* generator's state (never 0). */
  uint64_t rng;
} peer_ctx;

/* The seeded hash of 20 bytes: the same function as src/tracker/hash20.ts. */
static inline uint32_t hash20(const uint8_t *k, uint32_t seed) {
  uint32_t h = seed;
  for (int w = 0; w < 20; w += 4) {
    uint32_t x = (uint32_t)k[w] | ((uint32_t)k[w + 1] << 8) | ((uint32_t)k[w + 2] << 16) |
                 ((uint32_t)k[w + 3] << 24);
    h = (h ^ x) * 0x9e3779b1u;
    h ^= h >> 15;
  }
  h = (h ^ (h >> 13)) * 0x85ebca6bu;
  return h ^ (h >> 16);
}

/* What malloc holds for a block of `bytes` (glibc: 8 bytes of header, 16-byte granules, 32 at least). */
static inline uint64_t held(size_t bytes) {
  uint64_t b = ((uint64_t)bytes + 8 + 15) & ~(uint64_t)15;
  return b < 32 ? 32 : b;
}

/* fam: 0 for IPv4, 1 for IPv6. */
static inline uint32_t addr_len(int fam) { return fam ? 16u : 4u; }
static inline uint32_t stride_of(int fam) { return 32u + addr_len(fam); }

/* Bytes of the index of a table of `cap` records: 2 * cap entries of 2 or 4 bytes. */
static inline size_t index_bytes(uint32_t cap) { return (size_t)cap * (cap > PT_NARROW_MAX ? 8 : 4); }

static inline uint8_t *t_rec(const peer_table *t, uint32_t stride, uint32_t r) {
  return t->mem + index_bytes(t->cap) + (size_t)r * stride;
}

static inline uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline int t_is_seeder(const peer_table *t, int fam, uint32_t r) {
  return (t_rec(t, stride_of(fam), r)[22 + addr_len(fam)] & PT_FLAG_SEEDER) != 0;
}

static inline uint32_t t_last_seen(const peer_table *t, int fam, uint32_t r) {
  return rd32(t_rec(t, stride_of(fam), r) + 24 + addr_len(fam));
}

static inline uint32_t t_key(const peer_table *t, int fam, uint32_t r) {
  return rd32(t_rec(t, stride_of(fam), r) + 28 + addr_len(fam));
}

/* An empty table with no block. */
void t_init(peer_table *t);

/*
 * A new block of `cap` records holding `t`'s records (t may be NULL or empty) and their index, or
 * NULL when out of memory. `t` is not changed.
 */
uint8_t *t_build(const peer_table *t, uint32_t stride, uint32_t cap, uint32_t seed);

/* Makes `mem` (from t_build, `cap` records) the table's block, freeing the old one. */
void t_install(peer_ctx *c, peer_table *t, uint32_t stride, uint8_t *mem, uint32_t cap);

/* Frees a table's block, forgetting its peers. */
void t_release(peer_ctx *c, peer_table *t, uint32_t stride);

/* The record of peer `id`, or PT_NIL. */
uint32_t t_find(const peer_table *t, uint32_t stride, const uint8_t *id, uint32_t seed);

/* Rewrites a record's address, port, state, key and last-seen time (it counts among `count`). */
void t_write(peer_ctx *c, peer_table *t, int fam, uint32_t r, const sc_announce_in *in);

/* Adds a peer; the caller has checked it is not there and that there is room. */
uint32_t t_insert(peer_ctx *c, peer_table *t, int fam, const sc_announce_in *in);

/* Removes record `r` (the last record takes its place); halves the table below a quarter full. */
void t_remove(peer_ctx *c, peer_table *t, int fam, uint32_t r);

/*
 * Copies up to `max` peers' compact forms into `out` (and ids into `ids` when not NULL), starting
 * at a random record, skipping record `exclude`, peers last seen before `min_seen` and, with
 * `skip_seeders`, seeders (PeerTable.pick). Returns how many were copied.
 */
uint32_t t_pick(peer_ctx *c, const peer_table *t, int fam, uint32_t max, uint32_t exclude,
                int skip_seeders, int64_t min_seen, uint8_t *out, uint8_t *ids);

/* Removes every peer last seen before `cutoff`; returns how many (PeerTable.expire). */
uint32_t t_expire(peer_ctx *c, peer_table *t, int fam, int64_t cutoff);

#endif
