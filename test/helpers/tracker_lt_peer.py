"""A libtorrent peer (Debian's python3-libtorrent) that finds its swarm only through the torrent's
tracker, for Seedcast's tracker interop tests. Run with /usr/bin/python3.

  seed <file.torrent> <save_path> <port>       seeds until killed
  download <file.torrent> <save_path> <port>   downloads, exits 0 once complete and verified

Prints one JSON object per line: {"event": "tracker_reply" | "tracker_error" | "finished", ...}.
DHT, local discovery, UPnP and uTP are off (TCP on loopback only), so peers come from the tracker.
"""
import json
import sys
import time

import libtorrent as lt


def say(**kw):
    print(json.dumps(kw), flush=True)


def main():
    mode, torrent, save_path, port = sys.argv[1:5]
    ses = lt.session({
        "listen_interfaces": "127.0.0.1:%s" % port,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_trackers": True,
        "announce_to_all_tiers": True,
        "alert_mask": lt.alert.category_t.tracker_notification | lt.alert.category_t.status_notification
        | lt.alert.category_t.error_notification,
    })
    atp = lt.add_torrent_params()
    atp.ti = lt.torrent_info(torrent)
    atp.save_path = save_path
    if mode == "seed":
        atp.flags |= lt.torrent_flags.seed_mode
    h = ses.add_torrent(atp)
    done = False
    while True:
        for a in ses.pop_alerts():
            if isinstance(a, lt.tracker_reply_alert):
                say(event="tracker_reply", peers=a.num_peers, url=a.url)
            elif isinstance(a, (lt.tracker_error_alert, lt.tracker_warning_alert)):
                say(event="tracker_error", message=a.message())
        s = h.status()
        if mode == "download" and not done and s.is_seeding:
            done = True
            say(event="finished", pieces=s.num_pieces)
            h.pause()
            time.sleep(0.2)
            return 0
        ses.wait_for_alert(200)


if __name__ == "__main__":
    sys.exit(main())
