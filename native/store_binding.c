/*
 * store_binding: the swarm store in C (swarm_store.c) as seen from JavaScript
 * (src/tracker/stores/native-store.ts), for HTTP announces, scrapes, sweeps and statistics; the UDP fast
 * path (udp_fast.c) takes the same store from a handle through sc_store_unwrap.
 *
 * A store is opened with two pieces of memory JavaScript owns and keeps, so that an announce
 * crosses into C with its fixed-size inputs only and creates no JavaScript value:
 *   counts  : a Uint32Array of STORE_COUNTS entries; each announce (and storeCounts) writes
 *             [complete, incomplete, downloaded, n4, n6] there;
 *   scratch : an ArrayBuffer of room * STORE_ENTRY bytes (room: the most peers one family may be
 *             asked for), holding one answer's peers:
 *               0           room * 6   IPv4 compact entries
 *               room * 6    room * 18  IPv6 compact entries
 *               room * 24   room * 20  ids of the IPv4 entries (when asked for)
 *               room * 44   room * 20  ids of the IPv6 entries
 *             storeScratch hands over a larger one.
 *
 * Functions (every bad argument throws a TypeError or RangeError; out of memory throws an Error with
 * code ENOMEM and changes nothing):
 *   storeOpen({peerTtl, maxPeersPerSwarm, maxSwarms, maxPeers}, counts, scratch) -> handle
 *   storeScratch(handle, scratch)
 *   storeAnnounce(handle, infoHash, peerId, ip, port, key, flags, numwant, now)
 *       flags: 1 seeder, 2 seeders too, 4 want peer ids, 8 other family, event (SC_EVENT_*) << 4
 *   storeCounts(handle, infoHash)
 *   storeSweep(handle, now, budget, restart) -> [removed, done]
 *   storeSize(handle) -> [swarms, seeders, leechers]
 *   storeBytes(handle) -> bytes of the peer tables;  storeMemory(handle) -> bytes of the store
 *   storeClear(handle)
 * The handle is an external with a type tag; the store lives until it is collected.
 */

#include <math.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "swarm_store.h"

#define COUNTS 8
#define ENTRY (6 + 18 + 20 + 20)
#define FLAG_SEEDER 1u
#define FLAG_SEEDERS_TOO 2u
#define FLAG_WANT_IDS 4u
#define FLAG_OTHER_FAMILY 8u
#define EVENT_SHIFT 4

typedef struct {
  sc_store *store;
  napi_ref counts_ref;
  napi_ref scratch_ref;
  uint32_t *counts;
  uint8_t *scratch;
  /* Peers of one family the scratch memory has room for. */
  uint32_t room;
} store_handle;

static const napi_type_tag STORE_TAG = {0x5eedca57a0e1d001ULL, 0x9b1c2e7f4d3a6b58ULL};

static napi_value type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

static napi_value range_error(napi_env env, const char *message) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
  return NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  store_handle *h = data;
  sc_store_free(h->store);
  if (h->counts_ref) napi_delete_reference(env, h->counts_ref);
  if (h->scratch_ref) napi_delete_reference(env, h->scratch_ref);
  free(h);
}

sc_store *sc_store_unwrap(napi_env env, napi_value handle) {
  napi_valuetype type;
  if (napi_typeof(env, handle, &type) != napi_ok || type != napi_external) return NULL;
  bool tagged = false;
  if (napi_check_object_type_tag(env, handle, &STORE_TAG, &tagged) != napi_ok || !tagged) return NULL;
  void *data = NULL;
  if (napi_get_value_external(env, handle, &data) != napi_ok || data == NULL) return NULL;
  return ((store_handle *)data)->store;
}

/* The handle behind `value`, or NULL with a TypeError thrown. */
static store_handle *handle_of(napi_env env, napi_value value) {
  napi_valuetype type;
  bool tagged = false;
  void *data = NULL;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external ||
      napi_check_object_type_tag(env, value, &STORE_TAG, &tagged) != napi_ok || !tagged ||
      napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    type_error(env, "swarm store: not a store handle (from storeOpen)");
    return NULL;
  }
  return data;
}

/* The bytes of a Uint8Array (a Buffer) of `want` bytes (or 4 or 16 when want is 0), else throws. */
static const uint8_t *bytes_of(napi_env env, napi_value value, size_t want, size_t *length,
                               const char *what) {
  napi_typedarray_type type;
  size_t n = 0;
  void *data = NULL;
  char text[96];
  if (napi_get_typedarray_info(env, value, &type, &n, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    snprintf(text, sizeof text, "swarm store: %s must be a Buffer", what);
    type_error(env, text);
    return NULL;
  }
  if (want ? n != want : (n != 4 && n != 16)) {
    if (want) snprintf(text, sizeof text, "swarm store: %s must be %zu bytes, not %zu", what, want, n);
    else snprintf(text, sizeof text, "swarm store: %s must be 4 or 16 bytes, not %zu", what, n);
    range_error(env, text);
    return NULL;
  }
  if (length) *length = n;
  /* A zero-length view may have no data pointer; no length above is 0. */
  return data;
}

/* An integer number in [0, max], else throws. */
static bool number_of(napi_env env, napi_value value, double max, double *out, const char *what) {
  double d;
  char text[96];
  if (napi_get_value_double(env, value, &d) != napi_ok) {
    snprintf(text, sizeof text, "swarm store: %s must be a number", what);
    type_error(env, text);
    return false;
  }
  if (!(d >= 0 && d <= max) || d != floor(d)) {
    snprintf(text, sizeof text, "swarm store: %s must be an integer from 0 to %.0f", what, max);
    range_error(env, text);
    return false;
  }
  *out = d;
  return true;
}

/* An option: a number >= 0 (Infinity allowed), or undefined for `fallback`; clamped to `max`. */
static bool option_of(napi_env env, napi_value options, const char *name, double fallback, double max,
                      double *out) {
  napi_value v;
  napi_valuetype type;
  char text[96];
  if (napi_get_named_property(env, options, name, &v) != napi_ok || napi_typeof(env, v, &type) != napi_ok) {
    return false;
  }
  if (type == napi_undefined) {
    *out = fallback;
    return true;
  }
  double d;
  if (type != napi_number || napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0)) {
    snprintf(text, sizeof text, "swarm store: option %s must be a number >= 0", name);
    range_error(env, text);
    return false;
  }
  d = floor(d);
  *out = d > max ? max : d;
  return true;
}

/* Takes a Uint32Array of COUNTS entries and an ArrayBuffer of at least ENTRY bytes, else throws. */
static bool take_counts(napi_env env, napi_value value, store_handle *h) {
  napi_typedarray_type type;
  size_t n = 0;
  void *data = NULL;
  if (napi_get_typedarray_info(env, value, &type, &n, &data, NULL, NULL) != napi_ok ||
      type != napi_uint32_array || n < COUNTS) {
    type_error(env, "swarm store: counts must be a Uint32Array of STORE_COUNTS entries");
    return false;
  }
  napi_ref ref;
  if (napi_create_reference(env, value, 1, &ref) != napi_ok) return false;
  if (h->counts_ref) napi_delete_reference(env, h->counts_ref);
  h->counts_ref = ref;
  h->counts = data;
  return true;
}

static bool take_scratch(napi_env env, napi_value value, store_handle *h) {
  bool is = false;
  void *data = NULL;
  size_t n = 0;
  if (napi_is_arraybuffer(env, value, &is) != napi_ok || !is ||
      napi_get_arraybuffer_info(env, value, &data, &n) != napi_ok) {
    type_error(env, "swarm store: scratch must be an ArrayBuffer");
    return false;
  }
  if (n < ENTRY || n / ENTRY > UINT32_MAX) {
    range_error(env, "swarm store: scratch must hold from 1 to 2^32 - 1 STORE_ENTRY");
    return false;
  }
  napi_ref ref;
  if (napi_create_reference(env, value, 1, &ref) != napi_ok) return false;
  if (h->scratch_ref) napi_delete_reference(env, h->scratch_ref);
  h->scratch_ref = ref;
  h->scratch = data;
  h->room = (uint32_t)(n / ENTRY);
  return true;
}

static napi_value store_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3) return type_error(env, "swarm store: storeOpen(options, counts, scratch)");
  napi_valuetype type;
  if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_object) {
    return type_error(env, "swarm store: options must be an object");
  }
  double ttl, per_swarm, swarms, peers;
  if (!option_of(env, argv[0], "peerTtl", 2700, UINT32_MAX, &ttl) ||
      !option_of(env, argv[0], "maxPeersPerSwarm", 50000, UINT32_MAX, &per_swarm) ||
      !option_of(env, argv[0], "maxSwarms", 1000000, UINT32_MAX, &swarms) ||
      !option_of(env, argv[0], "maxPeers", 10000000, 18446744073709549568.0, &peers)) {
    return NULL;
  }
  store_handle *h = calloc(1, sizeof *h);
  if (!h) {
    napi_throw_error(env, "ENOMEM", "swarm store: out of memory");
    return NULL;
  }
  if (!take_counts(env, argv[1], h) || !take_scratch(env, argv[2], h)) {
    finalize(env, h, NULL);
    return NULL;
  }
  sc_store_options o = {(uint32_t)ttl, (uint32_t)per_swarm, (uint32_t)swarms, (uint64_t)peers};
  h->store = sc_store_new(&o);
  if (!h->store) {
    finalize(env, h, NULL);
    napi_throw_error(env, "ENOMEM", "swarm store: out of memory");
    return NULL;
  }
  napi_value external;
  if (napi_create_external(env, h, finalize, NULL, &external) != napi_ok) {
    finalize(env, h, NULL);
    return NULL;
  }
  if (napi_type_tag_object(env, external, &STORE_TAG) != napi_ok) return NULL;
  return external;
}

static napi_value store_scratch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) return type_error(env, "swarm store: storeScratch(handle, scratch)");
  store_handle *h = handle_of(env, argv[0]);
  if (!h) return NULL;
  take_scratch(env, argv[1], h);
  return NULL;
}

static napi_value store_announce(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 9) {
    return type_error(env,
                      "swarm store: storeAnnounce(handle, infoHash, peerId, ip, port, key, flags, numwant, now)");
  }
  store_handle *h = handle_of(env, argv[0]);
  if (!h) return NULL;
  sc_announce_in in;
  size_t ip_len = 0;
  double port, numwant, now;
  uint32_t key, flags;
  if (!(in.info_hash = bytes_of(env, argv[1], 20, NULL, "infoHash")) ||
      !(in.peer_id = bytes_of(env, argv[2], 20, NULL, "peerId")) ||
      !(in.ip = bytes_of(env, argv[3], 0, &ip_len, "ip")) ||
      !number_of(env, argv[4], 65535, &port, "port")) {
    return NULL;
  }
  if (napi_get_value_uint32(env, argv[5], &key) != napi_ok) {
    return type_error(env, "swarm store: key must be a number");
  }
  if (napi_get_value_uint32(env, argv[6], &flags) != napi_ok) {
    return type_error(env, "swarm store: flags must be a number");
  }
  if (!number_of(env, argv[7], UINT32_MAX, &numwant, "numwant") ||
      !number_of(env, argv[8], UINT32_MAX, &now, "now")) {
    return NULL;
  }
  uint32_t event = flags >> EVENT_SHIFT;
  if (event > SC_EVENT_STOPPED) return range_error(env, "swarm store: unknown event in flags");
  if (numwant > h->room) return range_error(env, "swarm store: numwant exceeds the scratch memory's room");
  in.ip_len = (int)ip_len;
  in.port = (uint16_t)port;
  in.key = key;
  in.seeder = (flags & FLAG_SEEDER) != 0;
  in.seeders_too = (flags & FLAG_SEEDERS_TOO) != 0;
  in.event = (int)event;
  in.numwant = (uint32_t)numwant;
  in.want_peer_ids = (flags & FLAG_WANT_IDS) != 0;
  in.other_family = (flags & FLAG_OTHER_FAMILY) != 0;
  in.now = (uint32_t)now;
  size_t room = h->room;
  uint8_t *b = h->scratch;
  sc_announce_out out;
  if (sc_store_announce(h->store, &in, &out, b, b + room * 6, b + room * 24, b + room * 44) != 0) {
    napi_throw_error(env, "ENOMEM", "swarm store: out of memory");
    return NULL;
  }
  uint32_t *c = h->counts;
  c[0] = out.complete;
  c[1] = out.incomplete;
  c[2] = out.downloaded;
  c[3] = out.n4;
  c[4] = out.n6;
  return NULL;
}

static napi_value store_counts(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) return type_error(env, "swarm store: storeCounts(handle, infoHash)");
  store_handle *h = handle_of(env, argv[0]);
  if (!h) return NULL;
  const uint8_t *ih = bytes_of(env, argv[1], 20, NULL, "infoHash");
  if (!ih) return NULL;
  sc_announce_out out;
  sc_store_counts(h->store, ih, &out);
  uint32_t *c = h->counts;
  c[0] = out.complete;
  c[1] = out.incomplete;
  c[2] = out.downloaded;
  c[3] = 0;
  c[4] = 0;
  return NULL;
}

static napi_value numbers(napi_env env, const double *values, uint32_t n) {
  napi_value array, v;
  if (napi_create_array_with_length(env, n, &array) != napi_ok) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    if (napi_create_double(env, values[i], &v) != napi_ok || napi_set_element(env, array, i, v) != napi_ok) {
      return NULL;
    }
  }
  return array;
}

static napi_value store_sweep(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3) return type_error(env, "swarm store: storeSweep(handle, now, budget, restart)");
  store_handle *h = handle_of(env, argv[0]);
  if (!h) return NULL;
  double now, budget;
  if (!number_of(env, argv[1], UINT32_MAX, &now, "now") ||
      !number_of(env, argv[2], UINT32_MAX, &budget, "budget")) {
    return NULL;
  }
  bool restart = false;
  if (argc >= 4 && napi_get_value_bool(env, argv[3], &restart) != napi_ok) restart = false;
  if (restart) sc_store_sweep_restart(h->store);
  int done = 0;
  uint64_t removed = sc_store_sweep(h->store, (uint32_t)now, (uint32_t)budget, &done);
  double values[2] = {(double)removed, done ? 1 : 0};
  return numbers(env, values, 2);
}

static napi_value store_size(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  store_handle *h = argc < 1 ? NULL : handle_of(env, argv[0]);
  if (!h) return argc < 1 ? type_error(env, "swarm store: storeSize(handle)") : NULL;
  uint64_t swarms, seeders, leechers;
  sc_store_size(h->store, &swarms, &seeders, &leechers);
  double values[3] = {(double)swarms, (double)seeders, (double)leechers};
  return numbers(env, values, 3);
}

static napi_value one_number(napi_env env, napi_callback_info info, uint64_t (*get)(sc_store *)) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  store_handle *h = argc < 1 ? NULL : handle_of(env, argv[0]);
  if (!h) return argc < 1 ? type_error(env, "swarm store: a store handle is required") : NULL;
  napi_value v;
  if (napi_create_double(env, (double)get(h->store), &v) != napi_ok) return NULL;
  return v;
}

static napi_value store_bytes(napi_env env, napi_callback_info info) {
  return one_number(env, info, sc_store_bytes);
}

static napi_value store_memory(napi_env env, napi_callback_info info) {
  return one_number(env, info, sc_store_memory);
}

static napi_value store_clear(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  store_handle *h = argc < 1 ? NULL : handle_of(env, argv[0]);
  if (!h) return argc < 1 ? type_error(env, "swarm store: storeClear(handle)") : NULL;
  sc_store_clear(h->store);
  return NULL;
}

napi_value store_binding_init(napi_env env, napi_value exports) {
  napi_value counts, entry;
  if (napi_create_uint32(env, COUNTS, &counts) != napi_ok ||
      napi_create_uint32(env, ENTRY, &entry) != napi_ok) {
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"storeOpen", NULL, store_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"storeScratch", NULL, store_scratch, NULL, NULL, NULL, napi_enumerable, NULL},
      {"storeAnnounce", NULL, store_announce, NULL, NULL, NULL, napi_enumerable, NULL},
      {"storeCounts", NULL, store_counts, NULL, NULL, NULL, napi_enumerable, NULL},
      {"storeSweep", NULL, store_sweep, NULL, NULL, NULL, napi_enumerable, NULL},
      {"storeSize", NULL, store_size, NULL, NULL, NULL, napi_enumerable, NULL},
      {"storeBytes", NULL, store_bytes, NULL, NULL, NULL, napi_enumerable, NULL},
      {"storeMemory", NULL, store_memory, NULL, NULL, NULL, napi_enumerable, NULL},
      {"storeClear", NULL, store_clear, NULL, NULL, NULL, napi_enumerable, NULL},
      {"STORE_COUNTS", NULL, NULL, NULL, NULL, counts, napi_enumerable, NULL},
      {"STORE_ENTRY", NULL, NULL, NULL, NULL, entry, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
