"""Trunk post_build hook: allow Trunk's inline loader script in the CSP by its sha256 hash.

Replaces the TRUNK_LOADER_HASH placeholder in the staged index.html with one
'sha256-...' source per inline <script>, so the policy needs no 'unsafe-inline'.
"""
import base64
import hashlib
import os
import re
import sys

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
open(path, "w", encoding="utf-8").write(html.replace("TRUNK_LOADER_HASH", hashes))
