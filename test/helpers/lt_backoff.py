"""How libtorrent 2.0.8 comes back to a tracker after each kind of answer (issue 16, docs/tracker.md
"Grace window"). Not a test: a probe, run by hand with Debian's python3-libtorrent:

  /usr/bin/python3 test/helpers/lt_backoff.py [seconds, default 400]

Four HTTP trackers on loopback answer every announce the same way: `fail` (a failure reason),
`retryin` (a failure reason and BEP 31 `retry in` 1 minute), `failint` (a failure reason with
`interval` 10 and `min interval` 10) and `ok` (no peers, `interval` 10, `min interval` 10). One
libtorrent session seeds four torrents, one naming each tracker. Prints one JSON line per announce
received ({"mode", "t"}), then a summary {mode: [seconds of each announce]}.
"""
import http.server
import json
import os
import sys
import tempfile
import threading
import time

import libtorrent as lt

MODES = ["fail", "retryin", "failint", "ok"]
T0 = time.time()
SEEN = {m: [] for m in MODES}


def bencode(d):
    out = b"d"
    for k in sorted(d):
        v = d[k]
        out += str(len(k)).encode() + b":" + k.encode()
        if isinstance(v, int):
            out += b"i%de" % v
        else:
            v = v if isinstance(v, bytes) else v.encode()
            out += str(len(v)).encode() + b":" + v
    return out + b"e"


ANSWERS = {
    "fail": {"failure reason": "torrent not tracked here"},
    "retryin": {"failure reason": "torrent not tracked here", "retry in": 1},
    "failint": {"failure reason": "torrent not tracked here", "interval": 10, "min interval": 10},
    "ok": {"interval": 10, "min interval": 10, "complete": 0, "incomplete": 0, "peers": b""},
}


def tracker(mode):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if "info_hash" in self.path and "event=stopped" not in self.path:
                t = round(time.time() - T0, 1)
                if not SEEN[mode] or t - SEEN[mode][-1] > 1:  # v1 and v2 announces come together
                    SEEN[mode].append(t)
                    print(json.dumps({"mode": mode, "t": t}), flush=True)
            body = bencode(ANSWERS[mode])
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/announce"


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 400
    ses = lt.session({
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "alert_mask": 0,
    })
    root = tempfile.mkdtemp(prefix="lt-backoff-")
    for mode in MODES:
        folder = os.path.join(root, mode)
        os.makedirs(folder)
        with open(os.path.join(folder, "f.bin"), "wb") as f:
            f.write(os.urandom(100_000))
        fs = lt.file_storage()
        lt.add_files(fs, os.path.join(folder, "f.bin"))
        ct = lt.create_torrent(fs, 16384)
        ct.add_tracker(tracker(mode))
        lt.set_piece_hashes(ct, folder)
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(lt.bdecode(lt.bencode(ct.generate())))
        atp.save_path = folder
        atp.flags |= lt.torrent_flags.seed_mode
        ses.add_torrent(atp)
    time.sleep(seconds)
    print(json.dumps(SEEN))


if __name__ == "__main__":
    main()
