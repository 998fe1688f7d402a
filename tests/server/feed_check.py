#!/usr/bin/python3
"""Checks blackout's feeds with a real parser (Debian's python3-feedparser 6.0, which reads Atom;
it has no JSON Feed support before 6.1, so the JSON Feed is checked here against the JSON Feed 1.1
spec's rules). Usage: feed_check.py atom|json FILE sim|real. Exits 1 with the problems on stderr.
"""
import calendar
import json
import sys
import urllib.parse

import feedparser

INTERNAL_NAMES = ("ping-slash24", "merit-nt", "bgp,", ",bgp")


def absolute(url):
    u = urllib.parse.urlparse(url or "")
    return u.scheme in ("http", "https") and bool(u.netloc)


def check_title(title, sim, problems):
    if not title:
        problems.append("item without a title")
        return
    if any(n in title for n in INTERNAL_NAMES):
        problems.append("internal name in title: " + title)
    if ("SIMULATION" in title) != sim:
        problems.append("SIMULATION mark %s in title: %s" % ("missing" if sim else "present", title))


def check_atom(text, sim):
    problems = []
    d = feedparser.parse(text)
    if d.bozo:
        problems.append("not well-formed: %r" % d.bozo_exception)
    if d.version != "atom10":
        problems.append("not Atom 1.0: %r" % d.version)
    f = d.feed
    if not f.get("title"):
        problems.append("feed without title")
    if not f.get("author_detail", {}).get("name"):
        problems.append("feed without <author><name>")
    if not any(l.get("rel") == "self" and absolute(l.get("href")) for l in f.get("links", [])):
        problems.append("feed without an absolute rel=self link")
    if not f.get("updated_parsed"):
        problems.append("feed without <updated>")
    newest = None
    for e in d.entries:
        check_title(e.get("title"), sim, problems)
        if not absolute(e.get("link")):
            problems.append("entry without an absolute link: %r" % e.get("link"))
        elif "?entity=" not in e.link:
            problems.append("entry link is not the entity page: " + e.link)
        if not e.get("id"):
            problems.append("entry without id")
        if not e.get("updated_parsed"):
            problems.append("entry without updated")
        else:
            t = calendar.timegm(e.updated_parsed)
            newest = t if newest is None else max(newest, t)
    if newest is not None and f.get("updated_parsed"):
        if calendar.timegm(f.updated_parsed) != newest:
            problems.append("feed <updated> %s is not the newest entry's" % f.updated)
    if not d.entries:
        problems.append("no entries")
    return problems


def check_json(text, sim):
    problems = []
    f = json.loads(text)
    if f.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version is not JSON Feed 1.1")
    if not f.get("title"):
        problems.append("feed without title")
    for key in ("home_page_url", "feed_url"):
        if not absolute(f.get(key)):
            problems.append("%s is not absolute: %r" % (key, f.get(key)))
    if not f.get("authors") or not f["authors"][0].get("name"):
        problems.append("feed without authors")
    items = f.get("items")
    if not isinstance(items, list) or not items:
        problems.append("no items")
        items = []
    for i in items:
        if not isinstance(i.get("id"), str) or not i["id"]:
            problems.append("item without a string id")
        check_title(i.get("title"), sim, problems)
        if not absolute(i.get("url")) or "/api/" in i.get("url", "") or "?entity=" not in i["url"]:
            problems.append("item url is not the absolute dashboard page: %r" % i.get("url"))
        if not (i.get("content_text") or i.get("content_html")):
            problems.append("item without content")
        for key in ("date_published", "date_modified"):
            if not feedparser.datetimes._parse_date(i.get(key, "")):
                problems.append("%s is not RFC 3339: %r" % (key, i.get(key)))
    return problems


def main():
    kind, path, mode = sys.argv[1:4]
    text = open(path, encoding="utf-8").read()
    problems = (check_atom if kind == "atom" else check_json)(text, mode == "sim")
    for p in problems:
        print(p, file=sys.stderr)
    print("%s feed: %d problem(s)" % (kind, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
