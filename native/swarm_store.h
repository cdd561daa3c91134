/*
 * swarm_store: the tracker's in-memory swarm store in C, with the semantics of
 * src/tracker/memory-store.ts (see src/tracker/store.ts for what every store keeps), so that the
 * BEP 15 edge (udp_fast.c) can answer an announce without entering JavaScript. JavaScript reaches
 * the same store through store_binding.c (src/tracker/native-store.ts), for HTTP, scrape, sweep and
 * statistics: there is one store per tracker, whichever edge a request came by.
 *
 * Single-threaded: every call comes from Node's main thread.
 */
#ifndef SEEDCAST_SWARM_STORE_H
#define SEEDCAST_SWARM_STORE_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sc_store sc_store;

typedef struct {
  /* Seconds after its last announce that a peer is forgotten (JS default 2700). */
  uint32_t peer_ttl;
  /* Most peers of one address family in one swarm (JS default 50,000). */
  uint32_t max_per_swarm;
  /* Most swarms (JS default 1,000,000; at least 2): a quarter probation, the rest protected. */
  uint32_t max_swarms;
  /* Most peers over all swarms (JS default 10,000,000). */
  uint64_t max_peers;
} sc_store_options;

/* Events, in the order of TrackerMetrics' EVENT_INDEX (not BEP 15's codes). */
enum { SC_EVENT_NONE = 0, SC_EVENT_STARTED = 1, SC_EVENT_COMPLETED = 2, SC_EVENT_STOPPED = 3 };

typedef struct {
  const uint8_t *info_hash; /* 20 bytes */
  const uint8_t *peer_id;   /* 20 bytes */
  const uint8_t *ip;        /* ip_len bytes, network order */
  int ip_len;               /* 4 or 16 */
  uint16_t port;
  uint32_t key;
  int seeder;               /* left == 0 */
  int seeders_too;          /* a seeder that is given seeders too (StoreAnnounce.seedersToo) */
  int event;                /* SC_EVENT_* */
  uint32_t numwant;         /* already limited by the caller; 0 for stopped */
  int want_peer_ids;
  int other_family;         /* fill with the other family's peers (HTTP) */
  uint32_t now;             /* seconds */
} sc_announce_in;

typedef struct {
  uint32_t complete;   /* seeders */
  uint32_t incomplete; /* leechers */
  uint32_t downloaded;
  uint32_t n4;         /* IPv4 peers written to out4 (6 bytes each), ids to ids4 */
  uint32_t n6;         /* IPv6 peers written to out6 (18 bytes each), ids to ids6 */
} sc_announce_out;

/* A new empty store, or NULL when out of memory. */
sc_store *sc_store_new(const sc_store_options *options);
void sc_store_free(sc_store *s);

/*
 * One announce (MemoryStore.announce). out4 has room for numwant * 6 bytes, out6 for numwant * 18;
 * with want_peer_ids, ids4 and ids6 for numwant * 20 each (else they may be NULL). Returns 0, or -1
 * when memory ran out (nothing changed then; also for an ip_len other than 4 or 16).
 */
int sc_store_announce(sc_store *s, const sc_announce_in *in, sc_announce_out *out, uint8_t *out4,
                      uint8_t *out6, uint8_t *ids4, uint8_t *ids6);

/* The counts of one swarm (zeros for an unknown one); n4 and n6 are set to 0. */
void sc_store_counts(sc_store *s, const uint8_t *info_hash, sc_announce_out *out);

/*
 * Expires peers last seen before now - peer_ttl in at most `budget` swarms from where the previous
 * call stopped, dropping swarms left empty and not active since the cutoff. Returns the peers
 * removed; sets *done to 1 when this call reached the end of a full pass (the next call starts a
 * new one), else 0.
 */
uint64_t sc_store_sweep(sc_store *s, uint32_t now, uint32_t budget, int *done);

/* Makes the next sc_store_sweep start a new pass from the first swarm. */
void sc_store_sweep_restart(sc_store *s);

void sc_store_size(sc_store *s, uint64_t *swarms, uint64_t *seeders, uint64_t *leechers);

/* Bytes held for peers (records and their indexes), for the memory-per-peer benchmark. */
uint64_t sc_store_bytes(sc_store *s);

/* Bytes held by the whole store: the tables, the swarms' slots and the info-hash index. */
uint64_t sc_store_memory(sc_store *s);

/* Forgets every swarm. */
void sc_store_clear(sc_store *s);

/* The store behind a handle made by store_binding.c's `storeOpen`, or NULL (no exception thrown). */
sc_store *sc_store_unwrap(napi_env env, napi_value handle);

/* Adds storeOpen, storeAnnounce, ... to the addon's exports (store_binding.c). */
napi_value store_binding_init(napi_env env, napi_value exports);

#endif
