/*
 * libFuzzer harness for the C swarm store (native/swarm_store.c, native/peer_table.c): random
 * sequences of operations on a fresh store per input, under AddressSanitizer (which also reports
 * leaks when the store is freed) and UndefinedBehaviorSanitizer.
 *
 * Byte 0 chooses the mode. With bit 0 set the limits are large and the store is checked against a
 * model of src/tracker/stores/memory-store.ts's rules (the store's specification) over a small universe,
 * 8 info hashes x 2 families x 16 peer ids x 4 addresses: after every announce, its counts
 * (seeders, leechers, completed downloads) and the store's totals must be the model's; sweeps are
 * whole passes. Otherwise the limits are tiny (2-9 swarms, 1-8 peers a swarm, 1-32 peers), so
 * eviction and the limits are what get exercised, and only the general bounds are checked.
 * Bytes 1-4: the limits and the peer TTL (1-256 s). Then operations, one opcode byte each:
 *   0-4 announce (6 more bytes), 5 counts, 6 sweep, 7 totals (or, with its bit 3, clear).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swarm_store.h"

#define HASHES 8
#define PEERS 16

typedef struct {
  int present, ipv, seeder;
  uint32_t key, seen;
} mpeer;
typedef struct {
  int present;
  uint32_t downloaded, active;
  mpeer p[2][PEERS];
} mswarm;

static mswarm model[HASHES];

static void fail(const char *what, long a, long b) {
  fprintf(stderr, "swarm store: %s (store %ld, model %ld)\n", what, a, b);
  abort();
}

static void hash_of(int h, uint8_t *out) {
  memset(out, 0x11 * (h + 1), 20);
  out[19] = (uint8_t)h;
}

static void model_counts(int h, uint32_t *complete, uint32_t *incomplete) {
  *complete = *incomplete = 0;
  for (int f = 0; f < 2; f++)
    for (int p = 0; p < PEERS; p++)
      if (model[h].p[f][p].present) {
        if (model[h].p[f][p].seeder) ++*complete;
        else ++*incomplete;
      }
}

static void check_counts(int h, const sc_announce_out *out) {
  uint32_t c, i;
  if (!model[h].present) {
    c = i = 0;
    if (out->downloaded != 0) fail("downloaded of an unknown swarm", out->downloaded, 0);
  } else {
    model_counts(h, &c, &i);
    if (out->downloaded != model[h].downloaded) fail("downloaded", out->downloaded, model[h].downloaded);
  }
  if (out->complete != c) fail("complete", out->complete, c);
  if (out->incomplete != i) fail("incomplete", out->incomplete, i);
}

/* The model's announce (MemoryStore.announce without limits). */
static void model_announce(int h, int fam, int p, int ipv, uint32_t key, int event, int seeder, uint32_t now,
                           uint32_t ttl) {
  mswarm *w = &model[h];
  int stopped = event == SC_EVENT_STOPPED, completed = event == SC_EVENT_COMPLETED;
  if (!w->present) {
    if (stopped) return;
    memset(w, 0, sizeof *w);
    w->present = 1;
    w->active = now;
  }
  mpeer *r = &w->p[fam][p];
  int exists = r->present;
  if (exists && (uint64_t)r->seen + ttl < now) exists = r->present = 0;
  int owner = !exists || r->ipv == ipv || (key != 0 && r->key == key);
  if (stopped) {
    if (exists && owner) {
      r->present = 0;
      w->active = now;
    }
    return;
  }
  if (!owner) return;
  /* A download counts when a known leecher completes; a stranger's `completed` counts nothing. */
  if (completed && seeder && exists && !r->seeder) w->downloaded++;
  r->present = 1;
  r->ipv = ipv;
  r->key = key;
  r->seeder = seeder;
  r->seen = now;
  w->active = now;
}

static void model_sweep(uint32_t now, uint32_t ttl) {
  int64_t cutoff = (int64_t)now - ttl;
  for (int h = 0; h < HASHES; h++) {
    mswarm *w = &model[h];
    if (!w->present) continue;
    int left = 0;
    for (int f = 0; f < 2; f++)
      for (int p = 0; p < PEERS; p++) {
        if (w->p[f][p].present && (int64_t)w->p[f][p].seen < cutoff) w->p[f][p].present = 0;
        left += w->p[f][p].present;
      }
    if (!left && (int64_t)w->active < cutoff) w->present = 0;
  }
}

static void check_totals(sc_store *s, int modelled) {
  uint64_t swarms, seeders, leechers;
  sc_store_size(s, &swarms, &seeders, &leechers);
  if (sc_store_bytes(s) > sc_store_memory(s)) fail("bytes over memory", (long)sc_store_bytes(s), 0);
  if (!modelled) return;
  uint64_t ms = 0, mc = 0, mi = 0;
  for (int h = 0; h < HASHES; h++) {
    if (!model[h].present) continue;
    uint32_t c, i;
    ms++;
    model_counts(h, &c, &i);
    mc += c;
    mi += i;
  }
  if (swarms != ms) fail("swarms", (long)swarms, (long)ms);
  if (seeders != mc) fail("seeders", (long)seeders, (long)mc);
  if (leechers != mi) fail("leechers", (long)leechers, (long)mi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 5) return 0;
  int modelled = data[0] & 1;
  uint32_t ttl = 1u + data[4];
  sc_store_options o = modelled ? (sc_store_options){.peer_ttl = ttl, .max_per_swarm = 1000, .max_swarms = 1024,
                                                     .max_peers = 100000}
                                : (sc_store_options){.peer_ttl = ttl,
                                                     .max_per_swarm = 1u + data[2] % 8,
                                                     .max_swarms = 2u + data[1] % 8,
                                                     .max_peers = 1u + data[3] % 32};
  sc_store *s = sc_store_new(&o);
  if (!s) return 0;
  memset(model, 0, sizeof model);
  uint32_t now = 1000000;
  size_t i = 5;
  while (i < size) {
    uint8_t op = data[i++];
    switch (op % 8) {
      case 0: case 1: case 2: case 3: case 4: {
        if (i + 6 > size) goto done;
        const uint8_t *a = data + i;
        i += 6;
        int h = a[0] % HASHES, fam = (a[0] >> 3) & 1, p = a[1] % PEERS, ipv = (a[1] >> 4) & 3;
        uint32_t key = (a[1] >> 6) & 3;
        int event = a[2] & 3, seeder = (a[2] >> 2) & 1, seeders_too = (a[2] >> 3) & 1;
        uint32_t numwant = (a[3] & 63) + (a[3] >> 6 == 3 ? 200 : 0);
        int want_ids = (a[3] >> 6) & 1, other = op >= 3;
        now += a[4] >> (a[5] & 3);
        uint8_t hash[20], id[20], ip[16] = {10, 0, 0, 0};
        hash_of(h, hash);
        memset(id, 0x40 + p, 20);
        if (fam) ip[0] = 0x20, ip[1] = 0x01;
        ip[(fam ? 16 : 4) - 1] = (uint8_t)ipv;
        if (event == SC_EVENT_STOPPED) numwant = 0;
        sc_announce_in in = {.info_hash = hash, .peer_id = id, .ip = ip, .ip_len = fam ? 16 : 4,
                             .port = (uint16_t)(6881 + p), .key = key, .seeder = seeder,
                             .seeders_too = seeder && seeders_too, .event = event, .numwant = numwant,
                             .want_peer_ids = want_ids, .other_family = other, .now = now};
        size_t n = numwant ? numwant : 1;
        uint8_t *o4 = malloc(n * 6), *o6 = malloc(n * 18), *i4 = malloc(n * 20), *i6 = malloc(n * 20);
        if (!o4 || !o6 || !i4 || !i6) abort();
        sc_announce_out out;
        int rc = sc_store_announce(s, &in, &out, o4, o6, want_ids ? i4 : NULL, want_ids ? i6 : NULL);
        free(o4), free(o6), free(i4), free(i6);
        if (rc != 0) {
          if (modelled) fail("announce ran out of memory", rc, 0);
          break;
        }
        if (out.n4 + out.n6 > numwant) fail("more peers than wanted", out.n4 + out.n6, numwant);
        if (!other && (fam ? out.n4 : out.n6) != 0) fail("peers of the other family", 1, 0);
        if (modelled) {
          model_announce(h, fam, p, ipv, key, event, seeder, now, ttl);
          check_counts(h, &out);
        }
        break;
      }
      case 5: {
        if (i >= size) goto done;
        int h = data[i++] % HASHES;
        uint8_t hash[20];
        hash_of(h, hash);
        sc_announce_out out;
        sc_store_counts(s, hash, &out);
        if (modelled) check_counts(h, &out);
        break;
      }
      case 6: {
        int done_pass = 0;
        if (modelled) {
          sc_store_sweep_restart(s);
          sc_store_sweep(s, now, UINT32_MAX, &done_pass);
          if (!done_pass) fail("a whole sweep did not finish", 0, 1);
          model_sweep(now, ttl);
        } else {
          sc_store_sweep(s, now, 1u + (op >> 3), &done_pass);
        }
        break;
      }
      default:
        if (op & 8) {
          sc_store_clear(s);
          memset(model, 0, sizeof model);
        }
        check_totals(s, modelled);
    }
  }
done:
  check_totals(s, modelled);
  sc_store_free(s);
  return 0;
}
