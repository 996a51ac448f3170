"""Names the split app's files for the build and stages them (called by scripts/split-build.sh).

wasm-split-cli and wasm-bindgen write mde-console.js, mde-console_bg.wasm, the split loader
__wasm_split.js and one .wasm per split module, which import each other by these names. Each
file is renamed mde-console-{hash}..., {hash} being one hash over all of them (their imports
form a cycle, so no file can be hashed alone), and the names inside the JavaScript are changed
to match: a new build has new names, and a browser never mixes two builds' files.

    python3 scripts/split-name.py SPLIT_DIR STAGING_DIR
"""
import hashlib
import os
import re
import shutil
import sys

source, staging = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(source))
for required in ("mde-console.js", "mde-console_bg.wasm", "__wasm_split.js"):
    if required not in names:
        sys.exit("split-name.py: %s has no %s: did wasm-split-cli find the split pages?" % (source, required))
if any(os.path.isdir(os.path.join(source, name)) for name in names):
    sys.exit("split-name.py: wasm-bindgen wrote a folder (snippets?) that this script does not stage: %s" % names)

digest = hashlib.sha256()
for name in names:
    digest.update(name.encode() + b"\0" + open(os.path.join(source, name), "rb").read())
build = "mde-console-" + digest.hexdigest()[:16]


def new_name(name):
    if name == "mde-console.js":
        return build + ".js"
    if name == "__wasm_split.js":
        return build + "-split.js"
    return build + ("_bg.wasm" if name == "mde-console_bg.wasm" else "-" + name)


renames = {name: new_name(name) for name in names}
# A name where the JavaScript loads a file: `from "./x"` and `new URL("./x"` (or 'x', wasm-bindgen's
# default wasm). Not elsewhere: the wasm's imports object is keyed by the module name that the
# wasm itself holds ("./__wasm_split.js").
quoted = re.compile(r"""(from |new URL\()(['"])(\./)?(%s)\2""" % "|".join(re.escape(n) for n in names))
for name in names:
    path = os.path.join(source, name)
    target = os.path.join(staging, renames[name])
    if name.endswith(".js"):
        text = open(path, encoding="utf-8").read()
        text = quoted.sub(lambda m: m.group(1) + m.group(2) + (m.group(3) or "") + renames[m.group(4)] + m.group(2), text)
        open(target, "w", encoding="utf-8").write(text)
    else:
        shutil.copyfile(path, target)
print("split-name.py: staged %d files as %s*" % (len(names), build))
