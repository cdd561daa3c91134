/*
 * The tracker's native addon (built by node-gyp, `npm run build:native`): the batched BEP 15 socket
 * (udp_batch.c), the swarm store in C (swarm_store.c and its peer tables, peer_table.c, reached
 * from JavaScript through store_binding.c) and the announce fast path that joins them (udp_fast.c,
 * reached through udp_fast_binding.c).
 */
#include <node_api.h>

#include "addon.h"
#include "swarm_store.h"

static napi_value init(napi_env env, napi_value exports) {
  if (!udp_batch_init(env, exports)) return NULL;
  if (!udp_fast_binding_init(env, exports)) return NULL;
  if (!store_binding_init(env, exports)) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
