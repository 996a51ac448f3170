"""Trunk post_build hook (first): loads the split app from index.html, as Trunk's loader would.

The app is built by scripts/split-build.sh (a pre_build hook), not by Trunk, so index.html has
no loader for it: this adds the one Trunk writes for a Rust app before </head>. That is a
module preload with its integrity, a wasm preload (without: Chromium ignores integrity on a
fetch preload, and says so in the console), and an inline module script that starts the wasm
and announces TrunkApplicationStarted. scripts/csp-hash.py, next, allows that script by its
hash. The split modules are not preloaded: each page fetches its own when it is first opened.
"""
import base64
import glob
import hashlib
import os
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("app-loader.py runs as a Trunk hook: TRUNK_STAGING_DIR is not set")
wasm = glob.glob(os.path.join(staging, "mde-console-*_bg.wasm"))
if len(wasm) != 1:
    sys.exit("app-loader.py: expected one mde-console-*_bg.wasm in %s (from split-build.sh), found %s" % (staging, wasm))
wasm = os.path.basename(wasm[0])
js = wasm.replace("_bg.wasm", ".js")


def integrity(name):
    data = open(os.path.join(staging, name), "rb").read()
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


loader = f"""
<link rel="modulepreload" href="./{js}" crossorigin="anonymous" integrity="{integrity(js)}">
<link rel="preload" href="./{wasm}" crossorigin="anonymous" as="fetch" type="application/wasm">
<script type="module">
import init, * as bindings from './{js}';
const wasm = await init({{ module_or_path: './{wasm}' }});
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent("TrunkApplicationStarted", {{detail: {{wasm}}}}));
</script>
"""
path = os.path.join(staging, "index.html")
html = open(path, encoding="utf-8").read()
if html.count("</head>") != 1:
    sys.exit("app-loader.py: index.html must have one </head>")
open(path, "w", encoding="utf-8").write(html.replace("</head>", loader + "</head>"))
