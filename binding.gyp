{
  "targets": [
    {
      "target_name": "tracker_native",
      "sources": [
        "native/addon.c",
        "native/udp_batch.c",
        "native/udp_fast_binding.c",
        "native/udp_fast.c",
        "native/swarm_store.c",
        "native/peer_table.c",
        "native/store_binding.c"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
