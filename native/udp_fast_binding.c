/*
 * udp_fast_binding: the announce fast path (udp_fast.c) as seen from JavaScript
 * (src/tracker/edges/udp/udp-batch.ts): turning it on for a batched socket (udp_batch.c) with a store
 * (store_binding.c), handing it the connection ids and the allow list JavaScript decides, and
 * reading its counts. A socket keeps its fast path (and a reference to the store) until it closes;
 * these functions reach them through udp_batch_fast_slot.
 *
 * Functions (bad arguments throw a TypeError; out of memory an Error):
 *   fastOn(handle, store, interval, defaultNumwant, maxNumwant)
 *   fastRemember(handle, id: Uint8Array(8), ip: Uint8Array(4|16), port, minute)
 *   fastAllow(handle, keys: Uint8Array | null)
 *   fastStats(handle) -> [none, started, completed, stopped]
 * Before fastOn (or after close) the last three do nothing (fastStats gives zeros).
 */

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include "addon.h"
#include "swarm_store.h"

/* fastOn(handle, store, interval, defaultNumwant, maxNumwant): answers announces in C from now on. */
static napi_value udp_fast_on(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  fast_path **fast;
  napi_ref *fast_store;
  int open = argc >= 5 ? udp_batch_fast_slot(env, argv[0], &fast, &fast_store) : -1;
  if (open < 0) {
    if (argc < 5) napi_throw_type_error(env, NULL, "udp_batch.fastOn: 5 arguments expected");
    return NULL;
  }
  sc_store *store = sc_store_unwrap(env, argv[1]);
  uint32_t interval;
  int32_t def, max;
  if (!store || napi_get_value_uint32(env, argv[2], &interval) != napi_ok ||
      napi_get_value_int32(env, argv[3], &def) != napi_ok || napi_get_value_int32(env, argv[4], &max) != napi_ok ||
      def < 0 || max < 0) {
    napi_throw_type_error(env, NULL, "udp_batch.fastOn: needs a store handle and three counts");
    return NULL;
  }
  if (!open) {
    napi_throw_error(env, NULL, "udp_batch: socket is closed");
    return NULL;
  }
  fast_path *f = fast_new(store, interval, def, max);
  if (!f) {
    napi_throw_error(env, NULL, "udp_batch: out of memory");
    return NULL;
  }
  if (*fast) {
    fast_free(*fast);
    napi_delete_reference(env, *fast_store);
  }
  *fast = f;
  CHECK(napi_create_reference(env, argv[1], 1, fast_store));
  return NULL;
}

/* fastRemember(handle, id: Uint8Array(8), ip: Uint8Array(4|16), port, minute) */
static napi_value udp_fast_remember(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], ab;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  fast_path **fast;
  if ((argc >= 5 ? udp_batch_fast_slot(env, argv[0], &fast, NULL) : -1) < 0) {
    if (argc < 5) napi_throw_type_error(env, NULL, "udp_batch.fastRemember: 5 arguments expected");
    return NULL;
  }
  void *id, *ip;
  size_t idLen, ipLen, off;
  napi_typedarray_type t;
  int32_t port;
  double minute;
  if (napi_get_typedarray_info(env, argv[1], &t, &idLen, &id, &ab, &off) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &t, &ipLen, &ip, &ab, &off) != napi_ok ||
      napi_get_value_int32(env, argv[3], &port) != napi_ok || napi_get_value_double(env, argv[4], &minute) != napi_ok ||
      idLen != 8 || (ipLen != 4 && ipLen != 16) || port < 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "udp_batch.fastRemember: bad arguments");
    return NULL;
  }
  if (*fast) fast_remember(*fast, id, ip, (int)ipLen, (uint16_t)port, (int64_t)minute);
  return NULL;
}

/* fastAllow(handle, keys: Uint8Array (20-byte info hashes, concatenated) | null = every hash) */
static napi_value udp_fast_allow(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ab;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  fast_path **fast;
  if ((argc >= 2 ? udp_batch_fast_slot(env, argv[0], &fast, NULL) : -1) < 0) {
    if (argc < 2) napi_throw_type_error(env, NULL, "udp_batch.fastAllow: 2 arguments expected");
    return NULL;
  }
  napi_valuetype vt;
  CHECK(napi_typeof(env, argv[1], &vt));
  if (!*fast) return NULL;
  if (vt == napi_null) {
    fast_allow(*fast, NULL, 0, 1);
    return NULL;
  }
  void *keys;
  size_t len, off;
  napi_typedarray_type t;
  if (napi_get_typedarray_info(env, argv[1], &t, &len, &keys, &ab, &off) != napi_ok || len % 20 != 0) {
    napi_throw_type_error(env, NULL, "udp_batch.fastAllow: keys must be whole 20-byte info hashes");
    return NULL;
  }
  if (fast_allow(*fast, keys, len / 20, 0) == -2) {
    napi_throw_error(env, NULL, "udp_batch: out of memory");
    return NULL;
  }
  return NULL;
}

/* fastStats(handle) -> announces answered in C by event [none, started, completed, stopped] */
static napi_value udp_fast_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out, v;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  fast_path **fast;
  if (udp_batch_fast_slot(env, argv[0], &fast, NULL) < 0) return NULL;
  double counts[FAST_COUNTS] = {0};
  if (*fast) fast_counts(*fast, counts);
  CHECK(napi_create_array_with_length(env, FAST_COUNTS, &out));
  for (uint32_t i = 0; i < FAST_COUNTS; i++) {
    CHECK(napi_create_double(env, counts[i], &v));
    CHECK(napi_set_element(env, out, i, v));
  }
  return out;
}

napi_value udp_fast_binding_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"fastOn", NULL, udp_fast_on, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fastRemember", NULL, udp_fast_remember, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fastAllow", NULL, udp_fast_allow, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fastStats", NULL, udp_fast_stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
