/*
 * swarm_store: the tracker's swarm store in C (see swarm_store.h), with the semantics of
 * src/tracker/memory-store.ts and its peer-table.ts, which are its specification.
 *
 * Layout:
 * - a swarm lives in a slot of one growing array (free slots are linked through `next`), found by
 *   an open-addressing index of its 20-byte info hash (linear probing, load at most 1/2, entries of
 *   64 bits: the slot + 1 in the low half, the key's hash in the high half, so a probe compares
 *   keys only when the hashes agree; backward-shift deletion, no tombstones);
 * - the swarms are in two segments, doubly linked lists through `prev`/`next`: probation (a quarter
 *   of max_swarms, first in first out) and protected (announced to twice; second-chance demotion
 *   back to probation when full), exactly as MemoryStore's two Maps;
 * - each swarm has one peer table per address family: one malloc'd block holding an index of
 *   peer ids (2 * cap entries, record + 1, 0 = empty, linear probing, backward-shift deletion; the
 *   entries are 16 bits wide up to NARROW_MAX records, 32 above) followed by `cap` dense
 *   fixed-size records laid out as in peer-table.ts:
 *
 *     0       20 B  peer id
 *     20      A  B  address (A = 4 or 16), network order
 *     20+A    2  B  port, big-endian       (bytes 20 .. 22+A are the BEP 23 / BEP 7 compact form)
 *     22+A    1  B  flags (bit 0: seeder)
 *     23+A    1  B  unused
 *     24+A    4  B  last seen, seconds     (host order: the records never leave this file)
 *     28+A    4  B  key
 *
 *   36 bytes for IPv4, 48 for IPv6, plus 4 bytes of index per record of capacity (8 in tables of
 *   more than NARROW_MAX records), where MemoryStore's tables take 8. Records stay
 *   dense (a removed record's place is taken by the last one), the capacity doubles when full and
 *   halves below a quarter, so picking peers is a walk over contiguous memory from a random start.
 *
 * Both hashes are seeded from getrandom() per store (peers choose their ids, and, without an allow
 * list, the info hashes they announce), and the random start of a pick comes from a xorshift64*
 * generator seeded the same way. Every allocation that an announce needs is made before the
 * announce changes anything, so running out of memory leaves the store as it was.
 */

#include "swarm_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define NIL UINT32_MAX
#define FLAG_SEEDER 1
/* Records of a table's first block; capacities are powers of two from there. */
#define MIN_CAPACITY 2u
/* Past this a table does not grow (its block would be tens of gigabytes). */
#define MAX_CAPACITY (1u << 30)
/* Tables of up to this many records index them with 16-bit entries (record + 1 <= 32768). */
#define NARROW_MAX 32768u
#define MIN_INDEX 64u
#define MIN_SLOTS 64u
#define SECOND_CHANCES 16
#define NEVER UINT32_MAX

enum { SEG_FREE = 0, SEG_PROBATION = 1, SEG_PROTECTED = 2 };

typedef struct {
  /* The index (2 * cap entries) then the records (cap * stride bytes); NULL when released. */
  uint8_t *mem;
  uint32_t count;
  uint32_t cap;
  uint32_t seeders;
  /* At most the oldest `last seen` of any record (exact after an expiry; NEVER when none). */
  uint32_t oldest;
} table;

typedef struct {
  uint8_t hash[20];
  uint8_t segment;
  uint8_t referenced;
  /* The segment's list, or (`next`) the free list. */
  uint32_t prev;
  uint32_t next;
  uint32_t downloaded;
  /* Last time (seconds) anything changed in it. */
  uint32_t active;
  table t[2]; /* 0: IPv4, 1: IPv6 */
} swarm;

typedef struct {
  uint32_t head; /* the oldest */
  uint32_t tail;
  uint32_t count;
} seglist;

struct sc_store {
  sc_store_options o;
  uint32_t probation_cap;
  uint32_t protected_cap;
  swarm *swarms;
  uint32_t slots_cap;
  /* Slots ever handed out (all below it are in use or on the free list). */
  uint32_t slots_used;
  uint32_t free_head;
  uint64_t *index;
  uint32_t index_mask;
  uint32_t swarm_count;
  seglist probation;
  seglist protect;
  uint64_t peers;
  uint64_t seeders;
  /* Bytes of the tables' blocks, as malloc holds them. */
  uint64_t table_bytes;
  uint32_t seed_hash;
  uint32_t seed_peer;
  uint64_t rng;
  /* The sweep's next slot. */
  uint32_t cursor;
};

/* ---- randomness and hashing ---- */

static void random_fill(void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t k = getrandom((uint8_t *)buf + got, n - got, 0);
    if (k < 0) {
      if (errno == EINTR) continue;
      break;
    }
    got += (size_t)k;
  }
  if (got == n) return;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    while (got < n) {
      ssize_t k = read(fd, (uint8_t *)buf + got, n - got);
      if (k <= 0) {
        if (k < 0 && errno == EINTR) continue;
        break;
      }
      got += (size_t)k;
    }
    close(fd);
  }
  if (got == n) return;
  /* No source of randomness at all: the clock and an address, better than a constant. */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t x = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)buf ^
               ((uint64_t)getpid() << 16);
  for (size_t i = got; i < n; i++) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    ((uint8_t *)buf)[i] = (uint8_t)((x * 0x2545F4914F6CDD1DULL) >> 56);
  }
}

static uint64_t next_random(sc_store *s) {
  uint64_t x = s->rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  s->rng = x;
  return x * 0x2545F4914F6CDD1DULL;
}

/* A random number in [0, n). */
static uint32_t random_below(sc_store *s, uint32_t n) {
  return (uint32_t)(((next_random(s) >> 32) * (uint64_t)n) >> 32);
}

/* The seeded hash of 20 bytes: the same function as src/tracker/hash20.ts. */
static uint32_t hash20(const uint8_t *k, uint32_t seed) {
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

/* ---- peer tables ---- */

static inline uint32_t addr_len(int fam) { return fam ? 16u : 4u; }
static inline uint32_t stride_of(int fam) { return 32u + addr_len(fam); }

/* Bytes of the index of a table of `cap` records: 2 * cap entries of 2 or 4 bytes. */
static inline size_t index_bytes(uint32_t cap) { return (size_t)cap * (cap > NARROW_MAX ? 8 : 4); }

/* Entry i of the index of a block of `cap` records. */
static inline uint32_t ix_get(const uint8_t *mem, uint32_t cap, uint32_t i) {
  if (cap > NARROW_MAX) return ((const uint32_t *)(const void *)mem)[i];
  return ((const uint16_t *)(const void *)mem)[i];
}

static inline void ix_set(uint8_t *mem, uint32_t cap, uint32_t i, uint32_t v) {
  if (cap > NARROW_MAX) ((uint32_t *)(void *)mem)[i] = v;
  else ((uint16_t *)(void *)mem)[i] = (uint16_t)v;
}

static inline uint8_t *t_rec(const table *t, uint32_t stride, uint32_t r) {
  return t->mem + index_bytes(t->cap) + (size_t)r * stride;
}

static inline uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* What malloc holds for a block of `bytes` (glibc: 8 bytes of header, 16-byte granules, 32 at least). */
static uint64_t held(size_t bytes) {
  uint64_t b = ((uint64_t)bytes + 8 + 15) & ~(uint64_t)15;
  return b < 32 ? 32 : b;
}

static inline size_t block_bytes(uint32_t cap, uint32_t stride) {
  return index_bytes(cap) + (size_t)cap * stride;
}

/*
 * A new block of `cap` records holding `t`'s records (t may be NULL or empty) and their index, or
 * NULL when out of memory. `t` is not changed.
 */
static uint8_t *t_build(const table *t, uint32_t stride, uint32_t cap, uint32_t seed) {
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

/* Makes `mem` (from t_build, `cap` records) the table's block, freeing the old one. */
static void t_install(sc_store *s, table *t, uint32_t stride, uint8_t *mem, uint32_t cap) {
  if (t->mem) {
    s->table_bytes -= held(block_bytes(t->cap, stride));
    free(t->mem);
  }
  t->mem = mem;
  t->cap = cap;
  s->table_bytes += held(block_bytes(cap, stride));
}

/* Frees a table's block, forgetting its peers. */
static void t_release(sc_store *s, table *t, uint32_t stride) {
  if (t->mem) {
    s->table_bytes -= held(block_bytes(t->cap, stride));
    free(t->mem);
  }
  s->peers -= t->count;
  s->seeders -= t->seeders;
  t->mem = NULL;
  t->count = 0;
  t->cap = 0;
  t->seeders = 0;
  t->oldest = NEVER;
}

static uint32_t t_find(const table *t, uint32_t stride, const uint8_t *id, uint32_t seed) {
  if (!t->mem || t->count == 0) return NIL;
  uint32_t mask = t->cap * 2 - 1;
  uint32_t i = hash20(id, seed) & mask;
  for (;;) {
    uint32_t v = ix_get(t->mem, t->cap, i);
    if (v == 0) return NIL;
    if (memcmp(t_rec(t, stride, v - 1), id, 20) == 0) return v - 1;
    i = (i + 1) & mask;
  }
}

static inline int t_is_seeder(const table *t, int fam, uint32_t r) {
  return (t_rec(t, stride_of(fam), r)[22 + addr_len(fam)] & FLAG_SEEDER) != 0;
}

static inline uint32_t t_last_seen(const table *t, int fam, uint32_t r) {
  return rd32(t_rec(t, stride_of(fam), r) + 24 + addr_len(fam));
}

static inline uint32_t t_key(const table *t, int fam, uint32_t r) {
  return rd32(t_rec(t, stride_of(fam), r) + 28 + addr_len(fam));
}

/* Rewrites a record's address, port, state, key and last-seen time (it counts among `count`). */
static void t_write(sc_store *s, table *t, int fam, uint32_t r, const sc_announce_in *in) {
  uint32_t a = addr_len(fam);
  uint8_t *rec = t_rec(t, stride_of(fam), r);
  memcpy(rec + 20, in->ip, a);
  rec[20 + a] = (uint8_t)(in->port >> 8);
  rec[21 + a] = (uint8_t)(in->port & 0xff);
  int was = (rec[22 + a] & FLAG_SEEDER) != 0;
  int now_seeder = in->seeder != 0;
  if (was != now_seeder) {
    if (now_seeder) {
      t->seeders++;
      s->seeders++;
    } else {
      t->seeders--;
      s->seeders--;
    }
  }
  rec[22 + a] = now_seeder ? FLAG_SEEDER : 0;
  wr32(rec + 24 + a, in->now);
  wr32(rec + 28 + a, in->key);
  if (in->now < t->oldest) t->oldest = in->now;
}

/* Adds a peer; the caller has checked it is not there and that there is room. */
static uint32_t t_insert(sc_store *s, table *t, int fam, const sc_announce_in *in) {
  uint32_t stride = stride_of(fam);
  uint32_t r = t->count++;
  s->peers++;
  uint8_t *rec = t_rec(t, stride, r);
  memcpy(rec, in->peer_id, 20);
  rec[22 + addr_len(fam)] = 0;
  rec[23 + addr_len(fam)] = 0;
  t_write(s, t, fam, r, in);
  uint32_t mask = t->cap * 2 - 1;
  uint32_t i = hash20(in->peer_id, s->seed_peer) & mask;
  while (ix_get(t->mem, t->cap, i) != 0) i = (i + 1) & mask;
  ix_set(t->mem, t->cap, i, r + 1);
  return r;
}

/* The index slot that holds record `r`. */
static uint32_t t_slot_of(const table *t, uint32_t stride, uint32_t r, uint32_t seed) {
  uint32_t mask = t->cap * 2 - 1;
  uint32_t i = hash20(t_rec(t, stride, r), seed) & mask;
  while (ix_get(t->mem, t->cap, i) != r + 1) i = (i + 1) & mask;
  return i;
}

/* Backward-shift deletion of record `r` from the index. */
static void t_unindex(table *t, uint32_t stride, uint32_t r, uint32_t seed) {
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

/* Removes record `r` (the last record takes its place); halves the table below a quarter full. */
static void t_remove(sc_store *s, table *t, int fam, uint32_t r) {
  uint32_t stride = stride_of(fam);
  if (t_is_seeder(t, fam, r)) {
    t->seeders--;
    s->seeders--;
  }
  t_unindex(t, stride, r, s->seed_peer);
  uint32_t last = t->count - 1;
  if (r != last) {
    uint32_t slot = t_slot_of(t, stride, last, s->seed_peer);
    ix_set(t->mem, t->cap, slot, r + 1);
    memcpy(t_rec(t, stride, r), t_rec(t, stride, last), stride);
  }
  t->count--;
  s->peers--;
  if (t->cap > 8 && (uint64_t)t->count * 4 < t->cap) {
    /* Out of memory for the smaller block: the larger one stays, which is only a waste. */
    uint8_t *mem = t_build(t, stride, t->cap >> 1, s->seed_peer);
    if (mem) t_install(s, t, stride, mem, t->cap >> 1);
  }
}

/*
 * Copies up to `max` peers' compact forms into `out` (and ids into `ids` when not NULL), starting
 * at a random record, skipping record `exclude`, peers last seen before `min_seen` and, with
 * `skip_seeders`, seeders (PeerTable.pick). Returns how many were copied.
 */
static uint32_t t_pick(sc_store *s, const table *t, int fam, uint32_t max, uint32_t exclude,
                       int skip_seeders, int64_t min_seen_in, uint8_t *out, uint8_t *ids) {
  uint32_t count = t->count;
  if (max == 0 || count == 0 || !t->mem) return 0;
  /* Every record was seen at or after `oldest`: no need to read each one's time unless older. */
  uint32_t min_seen = min_seen_in > (int64_t)t->oldest ? (uint32_t)min_seen_in : 0;
  uint32_t a = addr_len(fam);
  uint32_t stride = stride_of(fam);
  uint32_t entry = a + 2;
  const uint8_t *recs = t_rec(t, stride, 0);
  uint32_t r = random_below(s, count);
  uint32_t n = 0;
  for (uint32_t seen = 0; seen < count && n < max; seen++, r = r + 1 == count ? 0 : r + 1) {
    if (r == exclude) continue;
    const uint8_t *rec = recs + (size_t)r * stride;
    if (skip_seeders && (rec[22 + a] & FLAG_SEEDER)) continue;
    if (min_seen > 0 && rd32(rec + 24 + a) < min_seen) continue;
    memcpy(out + (size_t)n * entry, rec + 20, entry);
    if (ids) memcpy(ids + (size_t)n * 20, rec, 20);
    n++;
  }
  return n;
}

/* Removes every peer last seen before `cutoff`; returns how many (PeerTable.expire). */
static uint32_t t_expire(sc_store *s, table *t, int fam, int64_t cutoff) {
  if (!t->mem || (int64_t)t->oldest >= cutoff) return 0;
  uint32_t removed = 0;
  uint32_t oldest = NEVER;
  for (uint32_t r = t->count; r-- > 0;) {
    uint32_t seen = t_last_seen(t, fam, r);
    if ((int64_t)seen < cutoff) {
      t_remove(s, t, fam, r);
      removed++;
    } else if (seen < oldest) {
      oldest = seen;
    }
  }
  t->oldest = oldest;
  return removed;
}

/* ---- the info-hash index ---- */

static uint32_t index_find(const sc_store *s, const uint8_t *key, uint32_t h) {
  uint32_t mask = s->index_mask;
  uint32_t i = h & mask;
  for (;;) {
    uint64_t e = s->index[i];
    if (e == 0) return NIL;
    uint32_t slot = (uint32_t)e - 1;
    if ((uint32_t)(e >> 32) == h && memcmp(s->swarms[slot].hash, key, 20) == 0) return slot;
    i = (i + 1) & mask;
  }
}

static void index_put(uint64_t *index, uint32_t mask, uint32_t slot, uint32_t h) {
  uint32_t i = h & mask;
  while (index[i] != 0) i = (i + 1) & mask;
  index[i] = ((uint64_t)h << 32) | (uint64_t)(slot + 1);
}

static void index_delete(sc_store *s, uint32_t slot) {
  uint32_t mask = s->index_mask;
  uint32_t h = hash20(s->swarms[slot].hash, s->seed_hash);
  uint32_t hole = h & mask;
  while ((uint32_t)s->index[hole] != slot + 1) hole = (hole + 1) & mask;
  uint32_t j = hole;
  for (;;) {
    j = (j + 1) & mask;
    uint64_t e = s->index[j];
    if (e == 0) break;
    uint32_t home = (uint32_t)(e >> 32) & mask;
    int stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!stays) {
      s->index[hole] = e;
      hole = j;
    }
  }
  s->index[hole] = 0;
}

/* Doubles the index; -1 when out of memory (the index is unchanged then). */
static int index_grow(sc_store *s) {
  uint64_t size = (uint64_t)s->index_mask + 1;
  if (size >= ((uint64_t)1 << 31)) return -1;
  uint32_t nsize = (uint32_t)size * 2;
  uint64_t *index = calloc(nsize, sizeof *index);
  if (!index) return -1;
  for (uint64_t i = 0; i < size; i++) {
    uint64_t e = s->index[i];
    if (e != 0) index_put(index, nsize - 1, (uint32_t)e - 1, (uint32_t)(e >> 32));
  }
  free(s->index);
  s->index = index;
  s->index_mask = nsize - 1;
  return 0;
}

/* ---- segments and swarms ---- */

static seglist *list_of(sc_store *s, const swarm *w) {
  return w->segment == SEG_PROBATION ? &s->probation : &s->protect;
}

static void list_append(sc_store *s, seglist *l, uint32_t slot) {
  swarm *w = &s->swarms[slot];
  w->prev = l->tail;
  w->next = NIL;
  if (l->tail != NIL) s->swarms[l->tail].next = slot;
  else l->head = slot;
  l->tail = slot;
  l->count++;
}

static void list_unlink(sc_store *s, seglist *l, uint32_t slot) {
  swarm *w = &s->swarms[slot];
  if (w->prev != NIL) s->swarms[w->prev].next = w->next;
  else l->head = w->next;
  if (w->next != NIL) s->swarms[w->next].prev = w->prev;
  else l->tail = w->prev;
  w->prev = NIL;
  w->next = NIL;
  l->count--;
}

/* Forgets a swarm: its peers, its segment's link, its index entry and its slot. */
static void drop_swarm(sc_store *s, uint32_t slot) {
  swarm *w = &s->swarms[slot];
  list_unlink(s, list_of(s, w), slot);
  t_release(s, &w->t[0], stride_of(0));
  t_release(s, &w->t[1], stride_of(1));
  index_delete(s, slot);
  w->segment = SEG_FREE;
  w->next = s->free_head;
  s->free_head = slot;
  s->swarm_count--;
}

/* Puts a swarm into probation, evicting its oldest swarm when full (MemoryStore.admit). */
static void admit(sc_store *s, uint32_t slot) {
  if (s->probation.count >= s->probation_cap && s->probation.head != NIL) {
    drop_swarm(s, s->probation.head);
  }
  s->swarms[slot].segment = SEG_PROBATION;
  list_append(s, &s->probation, slot);
}

/* Moves a swarm announced to a second time from probation to protected (MemoryStore.promote). */
static void promote(sc_store *s, uint32_t slot) {
  list_unlink(s, &s->probation, slot);
  if (s->protect.count >= s->protected_cap) {
    /* Demote the oldest protected swarm not announced to since last passed (second chance). */
    int steps = 0;
    while (s->protect.head != NIL) {
      uint32_t old = s->protect.head;
      list_unlink(s, &s->protect, old);
      swarm *o = &s->swarms[old];
      if (o->referenced && ++steps < SECOND_CHANCES) {
        o->referenced = 0;
        list_append(s, &s->protect, old);
        continue;
      }
      o->referenced = 0;
      admit(s, old);
      break;
    }
  }
  swarm *w = &s->swarms[slot];
  w->referenced = 0;
  w->segment = SEG_PROTECTED;
  list_append(s, &s->protect, slot);
}

/*
 * Makes room for one more swarm (a slot and an index entry) before anything changes; `evicts`: the
 * new swarm's admission will drop one (its slot and entry serve then). -1 when out of memory.
 */
static int reserve_swarm(sc_store *s, int evicts) {
  uint64_t after = (uint64_t)s->swarm_count + (evicts ? 0 : 1);
  if (after * 2 > (uint64_t)s->index_mask + 1 && index_grow(s) != 0) return -1;
  if (!evicts && s->free_head == NIL && s->slots_used == s->slots_cap) {
    uint64_t cap = s->slots_cap ? (uint64_t)s->slots_cap * 2 : MIN_SLOTS;
    if (cap > s->o.max_swarms) cap = s->o.max_swarms;
    if (cap <= s->slots_cap) cap = (uint64_t)s->slots_cap + 1;
    if (cap > NIL - 1) return -1;
    swarm *swarms = realloc(s->swarms, (size_t)cap * sizeof *swarms);
    if (!swarms) return -1;
    s->swarms = swarms;
    s->slots_cap = (uint32_t)cap;
  }
  return 0;
}

static void table_init(table *t) {
  t->mem = NULL;
  t->count = 0;
  t->cap = 0;
  t->seeders = 0;
  t->oldest = NEVER;
}

/* A new swarm in probation (after reserve_swarm). */
static uint32_t create_swarm(sc_store *s, const uint8_t *info_hash, uint32_t h, uint32_t now) {
  if (s->probation.count >= s->probation_cap && s->probation.head != NIL) {
    drop_swarm(s, s->probation.head);
  }
  uint32_t slot;
  if (s->free_head != NIL) {
    slot = s->free_head;
    s->free_head = s->swarms[slot].next;
  } else {
    slot = s->slots_used++;
  }
  swarm *w = &s->swarms[slot];
  memcpy(w->hash, info_hash, 20);
  w->referenced = 0;
  w->downloaded = 0;
  w->active = now;
  table_init(&w->t[0]);
  table_init(&w->t[1]);
  admit(s, slot);
  index_put(s->index, s->index_mask, slot, h);
  s->swarm_count++;
  return slot;
}

static void counts_of(const swarm *w, sc_announce_out *out) {
  uint32_t seeders = w->t[0].seeders + w->t[1].seeders;
  uint32_t total = w->t[0].count + w->t[1].count;
  out->complete = seeders;
  out->incomplete = total - seeders;
  out->downloaded = w->downloaded;
}

/* ---- the interface ---- */

static int init_arrays(sc_store *s) {
  uint64_t *index = calloc(MIN_INDEX, sizeof *index);
  if (!index) return -1;
  free(s->index);
  free(s->swarms);
  s->index = index;
  s->index_mask = MIN_INDEX - 1;
  s->swarms = NULL;
  s->slots_cap = 0;
  s->slots_used = 0;
  s->free_head = NIL;
  s->swarm_count = 0;
  s->probation = (seglist){NIL, NIL, 0};
  s->protect = (seglist){NIL, NIL, 0};
  s->peers = 0;
  s->seeders = 0;
  s->table_bytes = 0;
  s->cursor = 0;
  return 0;
}

sc_store *sc_store_new(const sc_store_options *options) {
  sc_store *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->o = *options;
  if (s->o.max_swarms < 2) s->o.max_swarms = 2;
  s->probation_cap = s->o.max_swarms / 4;
  if (s->probation_cap < 1) s->probation_cap = 1;
  s->protected_cap = s->o.max_swarms - s->probation_cap;
  if (init_arrays(s) != 0) {
    free(s);
    return NULL;
  }
  uint32_t seeds[2];
  random_fill(seeds, sizeof seeds);
  s->seed_hash = seeds[0];
  s->seed_peer = seeds[1];
  do random_fill(&s->rng, sizeof s->rng);
  while (s->rng == 0);
  return s;
}

static void free_tables(sc_store *s) {
  for (uint32_t i = 0; i < s->slots_used; i++) {
    swarm *w = &s->swarms[i];
    if (w->segment == SEG_FREE) continue;
    free(w->t[0].mem);
    free(w->t[1].mem);
  }
}

void sc_store_free(sc_store *s) {
  if (!s) return;
  free_tables(s);
  free(s->swarms);
  free(s->index);
  free(s);
}

void sc_store_clear(sc_store *s) {
  free_tables(s);
  if (init_arrays(s) != 0) {
    /* No memory for a small index: keep the large one, emptied. */
    memset(s->index, 0, ((size_t)s->index_mask + 1) * sizeof *s->index);
    free(s->swarms);
    s->swarms = NULL;
    s->slots_cap = 0;
    s->slots_used = 0;
    s->free_head = NIL;
    s->swarm_count = 0;
    s->probation = (seglist){NIL, NIL, 0};
    s->protect = (seglist){NIL, NIL, 0};
    s->peers = 0;
    s->seeders = 0;
    s->table_bytes = 0;
    s->cursor = 0;
  }
}

int sc_store_announce(sc_store *s, const sc_announce_in *in, sc_announce_out *out, uint8_t *out4,
                      uint8_t *out6, uint8_t *ids4, uint8_t *ids6) {
  memset(out, 0, sizeof *out);
  if (in->ip_len != 4 && in->ip_len != 16) return -1;
  int fam = in->ip_len == 16;
  uint32_t stride = stride_of(fam);
  int stopped = in->event == SC_EVENT_STOPPED;
  uint32_t h = hash20(in->info_hash, s->seed_hash);
  uint32_t slot = index_find(s, in->info_hash, h);
  if (slot == NIL && stopped) return 0; /* a stopped peer of an unknown swarm creates nothing */
  int fresh = slot == NIL;

  /* Plan first, so that every allocation is made before anything changes. */
  const table *t0 = fresh ? NULL : &s->swarms[slot].t[fam];
  uint32_t r = t0 ? t_find(t0, stride, in->peer_id, s->seed_peer) : NIL;
  int expired = r != NIL && (uint64_t)t_last_seen(t0, fam, r) + s->o.peer_ttl < in->now;
  uint32_t count_after = (t0 ? t0->count : 0) - (expired ? 1 : 0);
  uint64_t peers_after = s->peers - (expired ? 1 : 0);
  int evicts = fresh && s->probation.count >= s->probation_cap && s->probation.head != NIL;
  if (evicts) {
    const swarm *v = &s->swarms[s->probation.head];
    peers_after -= (uint64_t)v->t[0].count + v->t[1].count;
  }
  int inserts = !stopped && (r == NIL || expired) && count_after < s->o.max_per_swarm &&
                peers_after < s->o.max_peers;
  uint8_t *grown = NULL;
  uint32_t grown_cap = 0;
  uint32_t cap_now = t0 && t0->mem ? t0->cap : 0;
  if (inserts && count_after + 1 > cap_now) {
    if (cap_now >= MAX_CAPACITY) return -1;
    grown_cap = cap_now ? cap_now * 2 : MIN_CAPACITY;
    grown = t_build(t0, stride, grown_cap, s->seed_peer);
    if (!grown) return -1;
  }
  if (fresh) {
    if (reserve_swarm(s, evicts) != 0) {
      free(grown);
      return -1;
    }
    slot = create_swarm(s, in->info_hash, h, in->now);
  } else if (s->swarms[slot].segment == SEG_PROBATION) {
    promote(s, slot);
  } else {
    s->swarms[slot].referenced = 1;
  }

  /* From here on nothing allocates that may fail, and the swarm array stays where it is. */
  swarm *w = &s->swarms[slot];
  table *t = &w->t[fam];
  if (grown) t_install(s, t, stride, grown, grown_cap);
  if (expired) {
    t_remove(s, t, fam, r);
    r = NIL;
  }
  int owner = r == NIL || memcmp(t_rec(t, stride, r) + 20, in->ip, addr_len(fam)) == 0 ||
              (in->key != 0 && t_key(t, fam, r) == in->key);
  if (stopped) {
    if (r != NIL && owner) {
      t_remove(s, t, fam, r);
      w->active = in->now;
    }
    counts_of(w, out);
    return 0;
  }
  int completed = in->event == SC_EVENT_COMPLETED;
  if (owner) {
    if (r != NIL) {
      int was = t_is_seeder(t, fam, r);
      t_write(s, t, fam, r, in);
      if (completed && in->seeder && !was && w->downloaded < UINT32_MAX) w->downloaded++;
    } else if (t->count < s->o.max_per_swarm && s->peers < s->o.max_peers && t->mem &&
               t->count < t->cap) {
      r = t_insert(s, t, fam, in);
      if (completed && in->seeder && w->downloaded < UINT32_MAX) w->downloaded++;
    }
    w->active = in->now;
  }

  int skip_seeders = in->seeder && !in->seeders_too;
  int64_t min_seen = (int64_t)in->now - (int64_t)s->o.peer_ttl;
  uint8_t *own_out = fam ? out6 : out4;
  uint8_t *own_ids = in->want_peer_ids ? (fam ? ids6 : ids4) : NULL;
  uint32_t limit = in->numwant < t->count ? in->numwant : t->count;
  uint32_t n_own = t_pick(s, t, fam, limit, r, skip_seeders, min_seen, own_out, own_ids);
  uint32_t n_other = 0;
  if (in->other_family && in->numwant > n_own) {
    const table *o = &w->t[1 - fam];
    uint32_t want = in->numwant - n_own;
    if (want > o->count) want = o->count;
    uint8_t *other_out = fam ? out4 : out6;
    uint8_t *other_ids = in->want_peer_ids ? (fam ? ids4 : ids6) : NULL;
    n_other = t_pick(s, o, 1 - fam, want, NIL, skip_seeders, min_seen, other_out, other_ids);
  }
  out->n4 = fam ? n_other : n_own;
  out->n6 = fam ? n_own : n_other;
  counts_of(w, out);
  return 0;
}

void sc_store_counts(sc_store *s, const uint8_t *info_hash, sc_announce_out *out) {
  memset(out, 0, sizeof *out);
  uint32_t slot = index_find(s, info_hash, hash20(info_hash, s->seed_hash));
  if (slot != NIL) counts_of(&s->swarms[slot], out);
}

void sc_store_sweep_restart(sc_store *s) { s->cursor = 0; }

uint64_t sc_store_sweep(sc_store *s, uint32_t now, uint32_t budget, int *done) {
  int64_t cutoff = (int64_t)now - (int64_t)s->o.peer_ttl;
  uint64_t removed = 0;
  if (budget == 0) budget = 1;
  for (uint32_t visited = 0; s->cursor < s->slots_used && visited < budget; visited++) {
    uint32_t slot = s->cursor++;
    swarm *w = &s->swarms[slot];
    if (w->segment == SEG_FREE) continue;
    for (int fam = 0; fam < 2; fam++) {
      table *t = &w->t[fam];
      removed += t_expire(s, t, fam, cutoff);
      if (t->count == 0 && t->mem) t_release(s, t, stride_of(fam));
    }
    if (!w->t[0].mem && !w->t[1].mem && (int64_t)w->active < cutoff) drop_swarm(s, slot);
  }
  *done = s->cursor >= s->slots_used;
  if (*done) s->cursor = 0;
  return removed;
}

void sc_store_size(sc_store *s, uint64_t *swarms, uint64_t *seeders, uint64_t *leechers) {
  *swarms = s->swarm_count;
  *seeders = s->seeders;
  *leechers = s->peers - s->seeders;
}

uint64_t sc_store_bytes(sc_store *s) { return s->table_bytes; }

uint64_t sc_store_memory(sc_store *s) {
  return s->table_bytes + held(sizeof *s) + (s->swarms ? held((size_t)s->slots_cap * sizeof(swarm)) : 0) +
         held(((size_t)s->index_mask + 1) * sizeof *s->index);
}
