"""Trunk post_build hook (last, after hosting/host-files.py): writes sw.js, the service worker.

sw.js is scripts/service-worker.js with the list of the files the app needs offline, each with
the SHA-256 of its bytes, so that a build that changes any file changes sw.js and the browser
installs it as an update, and so that the worker caches and serves those bytes only. Listed: index.html as the app shell (with its final CSP, hence
last), Trunk's hashed js/wasm/css, both workers' files, demo/, the manifest and its icons. Not
listed: config.json (network first, see the template), and the hosts' 404.html and
staticwebapp.config.json.

    TRUNK_STAGING_DIR=dist python3 scripts/service-worker.py   # again, on a changed copy of a build
"""
import hashlib
import json
import os
import sys

NOT_PRECACHED = {"sw.js", "config.json", "404.html", "staticwebapp.config.json"}

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("service-worker.py runs as a Trunk hook: TRUNK_STAGING_DIR is not set")
here = os.path.dirname(os.path.abspath(__file__))

files = []
for folder, _, names in os.walk(staging):
    for name in names:
        path = os.path.relpath(os.path.join(folder, name), staging).replace(os.sep, "/")
        if path not in NOT_PRECACHED:
            digest = hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest()
            files.append([path, digest])
files.sort()
if not any(path == "index.html" for path, _ in files):
    sys.exit("service-worker.py: %s has no index.html" % staging)

build = hashlib.sha256(json.dumps(files).encode()).hexdigest()[:16]
template = open(os.path.join(here, "service-worker.js"), encoding="utf-8").read()
for mark in ("/* PRECACHE */ []", "/* BUILD */"):
    if mark not in template:
        sys.exit("service-worker.py: scripts/service-worker.js has no %s" % mark)
listing = "[\n" + ",\n".join("  " + json.dumps(entry) for entry in files) + "\n]"
worker = template.replace("/* PRECACHE */ []", listing).replace("/* BUILD */", build)
with open(os.path.join(staging, "sw.js"), "w", encoding="utf-8") as f:
    f.write(worker)
