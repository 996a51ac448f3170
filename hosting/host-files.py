"""Trunk post_build hook (after scripts/csp-hash.py): the hosts' files that must sit in the site's root.

- 404.html: a copy of index.html. GitHub Pages answers every missing path of a site with its
  404.html (status 404), so a deep link such as /mde-console/try/machines loads the app, which
  finds its folder and route from the address (index.html's base script).
- staticwebapp.config.json: hosting/staticwebapp.config.json with index.html's Content-Security-
  Policy in place of INDEX_HTML_CSP. The policy allows Trunk's loader by its hash, which changes
  with every build, so the header is written by the build that made the page. The header goes
  without the Trusted Types directives: it also reaches the Web Workers, whose Trunk loaders
  start their glue with importScripts (a script-URL sink) and have no policy; a worker has no
  DOM, and the page itself keeps Trusted Types through its <meta>.
"""
import html
import json
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("host-files.py runs as a Trunk hook: TRUNK_STAGING_DIR is not set")
here = os.path.dirname(os.path.abspath(__file__))
page = open(os.path.join(staging, "index.html"), encoding="utf-8").read()

meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page)
if not meta or "TRUNK_LOADER_HASH" in meta.group(1):
    sys.exit("host-files.py: index.html has no finished Content-Security-Policy (run scripts/csp-hash.py first)")
policy = html.unescape(meta.group(1))

with open(os.path.join(staging, "404.html"), "w", encoding="utf-8") as f:
    f.write(page)

config = json.load(open(os.path.join(here, "staticwebapp.config.json"), encoding="utf-8"))
headers = config["globalHeaders"]
if "INDEX_HTML_CSP" not in headers.get("Content-Security-Policy", ""):
    sys.exit("host-files.py: hosting/staticwebapp.config.json has no INDEX_HTML_CSP in its Content-Security-Policy")
trusted_types = re.compile(r"\s*(require-trusted-types-for|trusted-types)\b[^;]*;?")
headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
    "INDEX_HTML_CSP", trusted_types.sub("", policy).strip().rstrip(";")
)
with open(os.path.join(staging, "staticwebapp.config.json"), "w", encoding="utf-8") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
