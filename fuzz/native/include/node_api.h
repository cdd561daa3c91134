/*
 * A stand-in for Node's <node_api.h> for the libFuzzer harnesses: the native sources under test
 * name N-API types in their headers but the harnessed functions call none of N-API, so opaque
 * types are all they need (and the harnesses build without Node's headers).
 */
#ifndef SEEDCAST_FUZZ_NODE_API_STUB_H
#define SEEDCAST_FUZZ_NODE_API_STUB_H
typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_ref__ *napi_ref;
typedef enum { napi_ok } napi_status;
#endif
