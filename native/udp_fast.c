/*
 * udp_fast: the BEP 15 announce answered in C, for the batched UDP socket (udp_batch.c), against
 * the swarm store in C (swarm_store.c) that JavaScript shares (src/tracker/stores/native-store.ts).
 *
 * JavaScript stays the tracker: it answers connects (and so issues the connection ids), scrapes,
 * errors and anything unusual. This path takes only announces it can answer exactly as
 * src/tracker/edges/udp/udp-server.ts + service/service.ts would, and hands every other datagram to JavaScript
 * untouched, which then answers or refuses it as before:
 *   - 98 bytes or more (BEP 41 options after byte 98 must parse: END, NOP, or a type with a length
 *     inside the datagram), at most 1500, action 1;
 *   - a connection id JavaScript issued or verified to this address and port (it tells us through
 *     fast_remember, with the minute it was computed for), accepted in that minute and the two after
 *     (src/tracker/edges/udp/connection-id.ts); an id we do not know is not refused here, JavaScript checks
 *     its HMAC and, if it is good, tells us;
 *   - event 0-3, port not 0, downloaded / left / uploaded not negative;
 *   - an info hash the allow list holds (when there is one: a set of hashes JavaScript gives us);
 *   - at most 200 peers wanted, in an answer that fits a slot.
 * The answer is BEP 15's: action 1, transaction id, interval, leechers, seeders, and the peers of
 * the sender's family (numwant: the default when negative, at most the maximum; none for stopped).
 * Announces answered here are counted by event for the tracker's metrics (fast_counts).
 * The announce rules (numwant, who is a seeder, who is given seeders) are
 * src/tracker/service/announce-rules.ts's; its table of cases (service/announce-cases.ts) runs
 * against this file through the addon (edges/udp/udp-fast-rules.test.ts), which also checks the
 * constants and rule lines below against the TypeScript.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "addon.h"
#include "swarm_store.h"

#define ANNOUNCE_LENGTH 98
#define MAX_REQUEST_LENGTH 1500
/* Connection ids remembered: a direct-mapped table (a collision forgets the older id, which then
 * costs one HMAC in JavaScript on its next use). */
#define CONN_BITS 17
#define SLOTS_ACCEPTED 3
#define MAX_FAST_NUMWANT 200

typedef struct {
  uint32_t hi, lo;
  uint8_t ip[16];
  uint8_t ip_len;
  uint8_t used;
  uint16_t port;
  int64_t slot;
} conn_entry;

struct fast_path {
  sc_store *store;
  uint32_t interval;
  int32_t default_numwant;
  int32_t max_numwant;
  uint64_t seed;
  conn_entry *conns;
  /* The allow list: NULL = every info hash; else an open-addressing set of 20-byte keys. */
  uint8_t *allow;
  uint8_t *allow_used;
  uint64_t allow_mask;
  double counts[FAST_COUNTS];
  uint8_t peers[MAX_FAST_NUMWANT * 18];
};

static uint32_t rd32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

static int64_t minute_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec / 60;
}

static uint32_t seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint32_t)ts.tv_sec;
}

fast_path *fast_new(sc_store *store, uint32_t interval, int32_t default_numwant, int32_t max_numwant) {
  fast_path *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->conns = calloc((size_t)1 << CONN_BITS, sizeof *f->conns);
  if (!f->conns) {
    free(f);
    return NULL;
  }
  if (getrandom(&f->seed, sizeof f->seed, 0) != (ssize_t)sizeof f->seed) f->seed = (uint64_t)(uintptr_t)f ^ 0x9e3779b97f4a7c15ULL;
  f->store = store;
  f->interval = interval;
  f->default_numwant = default_numwant;
  f->max_numwant = max_numwant;
  return f;
}

void fast_free(fast_path *f) {
  if (!f) return;
  free(f->conns);
  free(f->allow);
  free(f->allow_used);
  free(f);
}

static conn_entry *conn_slot(fast_path *f, uint32_t hi, uint32_t lo) {
  uint64_t h = mix64(((uint64_t)hi << 32 | lo) ^ f->seed);
  return &f->conns[h & (((uint64_t)1 << CONN_BITS) - 1)];
}

void fast_remember(fast_path *f, const uint8_t *id, const uint8_t *ip, int ip_len, uint16_t port,
                   int64_t slot) {
  if (ip_len != 4 && ip_len != 16) return;
  uint32_t hi = rd32(id), lo = rd32(id + 4);
  conn_entry *e = conn_slot(f, hi, lo);
  e->hi = hi;
  e->lo = lo;
  memset(e->ip, 0, sizeof e->ip);
  memcpy(e->ip, ip, (size_t)ip_len);
  e->ip_len = (uint8_t)ip_len;
  e->port = port;
  e->slot = slot;
  e->used = 1;
}

static int conn_known(fast_path *f, const uint8_t *id, const uint8_t *ip, int ip_len, uint16_t port) {
  uint32_t hi = rd32(id), lo = rd32(id + 4);
  const conn_entry *e = conn_slot(f, hi, lo);
  if (!e->used || e->hi != hi || e->lo != lo || e->port != port || e->ip_len != ip_len) return 0;
  if (memcmp(e->ip, ip, (size_t)ip_len) != 0) return 0;
  int64_t age = minute_now() - e->slot;
  return age >= 0 && age < SLOTS_ACCEPTED;
}

static uint64_t key_hash(const fast_path *f, const uint8_t *k) {
  uint64_t a, b;
  uint32_t c;
  memcpy(&a, k, 8);
  memcpy(&b, k + 8, 8);
  memcpy(&c, k + 16, 4);
  return mix64(a ^ f->seed) ^ mix64(b + 0x9e3779b97f4a7c15ULL) ^ mix64((uint64_t)c ^ (f->seed >> 7));
}

int fast_allow(fast_path *f, const uint8_t *keys, size_t count, int open) {
  free(f->allow);
  free(f->allow_used);
  f->allow = NULL;
  f->allow_used = NULL;
  f->allow_mask = 0;
  if (open) return 0;
  size_t cap = 16;
  while (cap < count * 2) cap <<= 1;
  uint8_t *set = malloc(cap * 20);
  uint8_t *used = calloc(cap, 1);
  if (!set || !used) {
    free(set);
    free(used);
    /* Nothing is allowed here then: every announce goes to JavaScript, which knows the list. */
    f->allow = calloc(1, 20);
    f->allow_used = calloc(1, 1);
    return f->allow && f->allow_used ? -1 : -2;
  }
  f->allow = set;
  f->allow_used = used;
  f->allow_mask = cap - 1;
  for (size_t i = 0; i < count; i++) {
    const uint8_t *k = keys + i * 20;
    uint64_t s = key_hash(f, k) & f->allow_mask;
    while (used[s] && memcmp(set + s * 20, k, 20) != 0) s = (s + 1) & f->allow_mask;
    memcpy(set + s * 20, k, 20);
    used[s] = 1;
  }
  return 0;
}

static int allowed(const fast_path *f, const uint8_t *k) {
  if (!f->allow_used) return 1;
  uint64_t s = key_hash(f, k) & f->allow_mask;
  while (f->allow_used[s]) {
    if (memcmp(f->allow + s * 20, k, 20) == 0) return 1;
    s = (s + 1) & f->allow_mask;
  }
  return 0;
}

/* Whether the BEP 41 options after the announce parse (udp-codec.ts readOptions). */
static int options_ok(const uint8_t *msg, int len) {
  int i = ANNOUNCE_LENGTH;
  while (i < len) {
    uint8_t type = msg[i];
    if (type == 0x0) return 1;
    if (type == 0x1) {
      i++;
      continue;
    }
    if (i + 1 >= len) return 0;
    int olen = msg[i + 1];
    if (i + 2 + olen > len) return 0;
    i += 2 + olen;
  }
  return 1;
}

/* BEP 15's event codes (0 none, 1 completed, 2 started, 3 stopped) to the store's. */
static const int EVENT_OF_CODE[4] = {SC_EVENT_NONE, SC_EVENT_COMPLETED, SC_EVENT_STARTED, SC_EVENT_STOPPED};

int fast_answer(fast_path *f, const uint8_t *msg, int len, const uint8_t *ip, int ip_len, uint16_t from_port,
                uint8_t *out, int room) {
  if (len < ANNOUNCE_LENGTH || len > MAX_REQUEST_LENGTH || rd32(msg + 8) != 1) return 0;
  uint32_t code = rd32(msg + 80);
  if (code > 3) return 0;
  uint16_t port = (uint16_t)((msg[96] << 8) | msg[97]);
  if (port == 0) return 0;
  /* downloaded, left, uploaded: i64, negative ones are JavaScript's to refuse. */
  if ((msg[56] & 0x80) || (msg[64] & 0x80) || (msg[72] & 0x80)) return 0;
  if (len > ANNOUNCE_LENGTH && !options_ok(msg, len)) return 0;
  if (!conn_known(f, msg, ip, ip_len, from_port)) return 0;
  if (!allowed(f, msg + 16)) return 0;
  int event = EVENT_OF_CODE[code];
  int32_t want = (int32_t)rd32(msg + 92);
  uint32_t numwant = event == SC_EVENT_STOPPED ? 0
                     : want < 0                ? (uint32_t)f->default_numwant
                     : want > f->max_numwant   ? (uint32_t)f->max_numwant
                                               : (uint32_t)want;
  int entry = ip_len + 2;
  /* More than the scratch holds (a service allowing over 200), or than a slot holds: JavaScript's. */
  if (numwant > MAX_FAST_NUMWANT || 20 + (int)numwant * entry > room) return 0;
  static const uint8_t zero8[8] = {0};
  sc_announce_in in = {
      .info_hash = msg + 16,
      .peer_id = msg + 36,
      .ip = ip,
      .ip_len = ip_len,
      .port = port,
      .key = rd32(msg + 88),
      .seeder = memcmp(msg + 64, zero8, 8) == 0,
      .event = event,
      .numwant = numwant,
      .want_peer_ids = 0,
      .other_family = 0,
      .now = seconds_now(),
  };
  in.seeders_too = in.seeder && memcmp(msg + 56, zero8, 8) == 0;
  sc_announce_out res;
  uint8_t *peers = out + 20;
  if (sc_store_announce(f->store, &in, &res, ip_len == 4 ? peers : f->peers, ip_len == 4 ? f->peers : peers,
                        NULL, NULL) != 0)
    return 0;
  uint32_t n = ip_len == 4 ? res.n4 : res.n6;
  wr32(out, 1);
  memcpy(out + 4, msg + 12, 4);
  wr32(out + 8, f->interval);
  wr32(out + 12, res.incomplete > 0x7fffffff ? 0x7fffffff : res.incomplete);
  wr32(out + 16, res.complete > 0x7fffffff ? 0x7fffffff : res.complete);
  f->counts[event]++;
  return 20 + (int)n * entry;
}

void fast_counts(const fast_path *f, double *out) {
  memcpy(out, f->counts, sizeof f->counts);
}
