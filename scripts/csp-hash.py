"""Trunk post_build hook: allow Trunk's inline loader script in the CSP by its sha256 hash.

Replaces the TRUNK_LOADER_HASH placeholder in the staged index.html with one
'sha256-...' source per inline <script>, so the policy needs no 'unsafe-inline'.

For a developer running the app against a local fake Azure, MDE_DEV_CONNECT_SRC (loopback
http origins, space-separated) is added to connect-src, e.g.

    MDE_DEV_CONNECT_SRC=http://127.0.0.1:8443 make serve

The shipped index.html allows no loopback origin; a build made with this variable is for the
developer's machine only, and says so.
"""
import base64
import hashlib
import os
import re
import sys
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("csp-hash.py runs as a Trunk hook: TRUNK_STAGING_DIR is not set")
path = os.path.join(staging, "index.html")
html = open(path, encoding="utf-8").read()
inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
hashes = " ".join(
    "'sha256-%s'" % base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
    for body in inline
)
if "TRUNK_LOADER_HASH" not in html:
    sys.exit("csp-hash.py: index.html has no TRUNK_LOADER_HASH placeholder in its CSP")
html = html.replace("TRUNK_LOADER_HASH", hashes)


def loopback_origin(source):
    """`http://127.0.0.1:8443` and the like, or exit with what is wrong."""
    parts = urlsplit(source)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK or parts.path not in ("", "/") or parts.query:
        sys.exit(
            "csp-hash.py: MDE_DEV_CONNECT_SRC takes loopback origins such as http://127.0.0.1:8443, not %r" % source
        )
    return "%s://%s" % (parts.scheme, parts.netloc)


dev = [loopback_origin(s) for s in os.environ.get("MDE_DEV_CONNECT_SRC", "").split()]
if dev:
    policy = r"(<meta http-equiv=\"Content-Security-Policy\" content=\"[^\"]*?connect-src [^;\"]*)"
    html, n = re.subn(policy, lambda m: m.group(1) + " " + " ".join(dev), html, count=1)
    if n != 1:
        sys.exit("csp-hash.py: index.html's CSP has no connect-src to add MDE_DEV_CONNECT_SRC to")
    print(
        "csp-hash.py: development build, connect-src also allows %s: do not deploy this dist/" % " ".join(dev),
        file=sys.stderr,
    )
open(path, "w", encoding="utf-8").write(html)
