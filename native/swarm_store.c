/*
 * swarm_store: the tracker's swarm store in C (see swarm_store.h), with the semantics of
 * src/tracker/stores/memory-store.ts and its peer-table.ts, which are its specification.
 *
 * Layout:
 * - a swarm lives in a slot of one growing array (free slots are linked through `next`), found by
 *   an open-addressing index of its 20-byte info hash (linear probing, load at most 1/2, entries of
 *   64 bits: the slot + 1 in the low half, the key's hash in the high half, so a probe compares
 *   keys only when the hashes agree; backward-shift deletion, no tombstones);
 * - the swarms are in two segments, doubly linked lists through `prev`/`next`: probation (a quarter
 *   of max_swarms, first in first out) and protected (announced to twice; second-chance demotion
 *   back to probation when full), exactly as MemoryStore's two Maps;
 * - each swarm has one peer table per address family (peer_table.c: an index of peer ids and
 *   dense records in one malloc'd block), which reaches the store's totals, the peer-id hash's seed
 *   and the generator only through the peer_ctx the store keeps for all its tables.
 *
 * Both hashes are seeded from getrandom() per store (peers choose their ids, and, without an allow
 * list, the info hashes they announce), and the random start of a pick comes from a xorshift64*
 * generator seeded the same way. Every allocation that an announce needs is made before the
 * announce changes anything, so running out of memory leaves the store as it was.
 */

#include "swarm_store.h"

#include "peer_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* No slot (and no record: the same value as PT_NIL). */
#define NIL PT_NIL
#define MIN_INDEX 64u
#define MIN_SLOTS 64u
#define SECOND_CHANCES 16

enum { SEG_FREE = 0, SEG_PROBATION = 1, SEG_PROTECTED = 2 };

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
  peer_table t[2]; /* 0: IPv4, 1: IPv6 */
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
  /* The tables' totals (peers, seeders, bytes), the peer-id hash's seed and the generator. */
  peer_ctx pt;
  uint32_t seed_hash;
  /* The sweep's next slot. */
  uint32_t cursor;
};

/* ---- randomness ---- */

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
  t_release(&s->pt, &w->t[0], stride_of(0));
  t_release(&s->pt, &w->t[1], stride_of(1));
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
  t_init(&w->t[0]);
  t_init(&w->t[1]);
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

/* Frees the swarm slots and empties everything but the info-hash index (whose size it keeps). */
static void reset_swarms(sc_store *s) {
  free(s->swarms);
  s->swarms = NULL;
  s->slots_cap = 0;
  s->slots_used = 0;
  s->free_head = NIL;
  s->swarm_count = 0;
  s->probation = (seglist){NIL, NIL, 0};
  s->protect = (seglist){NIL, NIL, 0};
  s->pt.peers = 0;
  s->pt.seeders = 0;
  s->pt.bytes = 0;
  s->cursor = 0;
}

static int init_arrays(sc_store *s) {
  uint64_t *index = calloc(MIN_INDEX, sizeof *index);
  if (!index) return -1;
  free(s->index);
  s->index = index;
  s->index_mask = MIN_INDEX - 1;
  reset_swarms(s);
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
  s->pt.seed = seeds[1];
  do random_fill(&s->pt.rng, sizeof s->pt.rng);
  while (s->pt.rng == 0);
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
    reset_swarms(s);
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
  const peer_table *t0 = fresh ? NULL : &s->swarms[slot].t[fam];
  uint32_t r = t0 ? t_find(t0, stride, in->peer_id, s->pt.seed) : NIL;
  int expired = r != NIL && (uint64_t)t_last_seen(t0, fam, r) + s->o.peer_ttl < in->now;
  uint32_t count_after = (t0 ? t0->count : 0) - (expired ? 1 : 0);
  uint64_t peers_after = s->pt.peers - (expired ? 1 : 0);
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
    if (cap_now >= PT_MAX_CAPACITY) return -1;
    grown_cap = cap_now ? cap_now * 2 : PT_MIN_CAPACITY;
    grown = t_build(t0, stride, grown_cap, s->pt.seed);
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
  peer_table *t = &w->t[fam];
  if (grown) t_install(&s->pt, t, stride, grown, grown_cap);
  if (expired) {
    t_remove(&s->pt, t, fam, r);
    r = NIL;
  }
  int owner = r == NIL || memcmp(t_rec(t, stride, r) + 20, in->ip, addr_len(fam)) == 0 ||
              (in->key != 0 && t_key(t, fam, r) == in->key);
  if (stopped) {
    if (r != NIL && owner) {
      t_remove(&s->pt, t, fam, r);
      w->active = in->now;
    }
    counts_of(w, out);
    return 0;
  }
  int completed = in->event == SC_EVENT_COMPLETED;
  if (owner) {
    if (r != NIL) {
      int was = t_is_seeder(t, fam, r);
      t_write(&s->pt, t, fam, r, in);
      if (completed && in->seeder && !was && w->downloaded < UINT32_MAX) w->downloaded++;
    } else if (t->count < s->o.max_per_swarm && s->pt.peers < s->o.max_peers && t->mem &&
               t->count < t->cap) {
      r = t_insert(&s->pt, t, fam, in);
    }
    w->active = in->now;
  }

  int skip_seeders = in->seeder && !in->seeders_too;
  int64_t min_seen = (int64_t)in->now - (int64_t)s->o.peer_ttl;
  uint8_t *own_out = fam ? out6 : out4;
  uint8_t *own_ids = in->want_peer_ids ? (fam ? ids6 : ids4) : NULL;
  uint32_t limit = in->numwant < t->count ? in->numwant : t->count;
  uint32_t n_own = t_pick(&s->pt, t, fam, limit, r, skip_seeders, min_seen, own_out, own_ids);
  uint32_t n_other = 0;
  if (in->other_family && in->numwant > n_own) {
    const peer_table *o = &w->t[1 - fam];
    uint32_t want = in->numwant - n_own;
    if (want > o->count) want = o->count;
    uint8_t *other_out = fam ? out4 : out6;
    uint8_t *other_ids = in->want_peer_ids ? (fam ? ids4 : ids6) : NULL;
    n_other = t_pick(&s->pt, o, 1 - fam, want, NIL, skip_seeders, min_seen, other_out, other_ids);
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
      peer_table *t = &w->t[fam];
      removed += t_expire(&s->pt, t, fam, cutoff);
      if (t->count == 0 && t->mem) t_release(&s->pt, t, stride_of(fam));
    }
    if (!w->t[0].mem && !w->t[1].mem && (int64_t)w->active < cutoff) drop_swarm(s, slot);
  }
  *done = s->cursor >= s->slots_used;
  if (*done) s->cursor = 0;
  return removed;
}

void sc_store_size(sc_store *s, uint64_t *swarms, uint64_t *seeders, uint64_t *leechers) {
  *swarms = s->swarm_count;
  *seeders = s->pt.seeders;
  *leechers = s->pt.peers - s->pt.seeders;
}

uint64_t sc_store_bytes(sc_store *s) { return s->pt.bytes; }

uint64_t sc_store_memory(sc_store *s) {
  return s->pt.bytes + held(sizeof *s) + (s->swarms ? held((size_t)s->slots_cap * sizeof(swarm)) : 0) +
         held(((size_t)s->index_mask + 1) * sizeof *s->index);
}
