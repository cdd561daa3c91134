"""Reads feeds and XML documents with real Python parsers, for Seedcast's feed tests.

Run with /usr/bin/python3 (Debian's python3-feedparser). Each argument is `kind=path`; prints one JSON
object keyed by path:
  feed=<file>  feedparser: {"bozo", "exception", "version", "title", "entries": [{"title", "title_type", "id", "link",
               "summary", "summary_type", "enclosures": [{"href", "type", "length"}], "tags"}]}
  xml=<file>   xml.etree (strict XML 1.0, namespaces resolved): {"ok", "error", "tree"} where tree is
               [tag, {attrs}, text, [children...]]
"""
import json
import sys
import xml.etree.ElementTree as ET

import feedparser


def tree(e):
    return [e.tag, dict(e.attrib), e.text or "", [tree(c) for c in e]]


out = {}
for arg in sys.argv[1:]:
    kind, path = arg.split("=", 1)
    with open(path, "rb") as f:
        data = f.read()
    if kind == "feed":
        d = feedparser.parse(data, response_headers={"content-location": "http://site.test/", "content-type": "application/xml"})
        out[path] = {
            "bozo": bool(d.bozo),
            "exception": str(d.get("bozo_exception", "")),
            "version": d.version,
            "title": d.feed.get("title"),
            "entries": [{
                "title": e.get("title"),
                "id": e.get("id"),
                "link": e.get("link"),
                "title_type": e.get("title_detail", {}).get("type"),
                "summary": e.get("summary"),
                "summary_type": e.get("summary_detail", {}).get("type"),
                "enclosures": [{"href": x.get("href"), "type": x.get("type"), "length": x.get("length")} for x in e.get("enclosures", [])],
                "tags": [t.get("term") for t in e.get("tags", [])],
            } for e in d.entries],
        }
    else:
        try:
            out[path] = {"ok": True, "error": None, "tree": tree(ET.fromstring(data))}
        except ET.ParseError as err:
            out[path] = {"ok": False, "error": str(err), "tree": None}
print(json.dumps(out))
