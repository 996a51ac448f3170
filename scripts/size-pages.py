"""The brotli bytes each split point of the app fetches when first shown (for scripts/size.sh).

The app's wasm is split (scripts/split-build.sh): the main module loads first; a split point
(a page, or demo mode) fetches its module and the chunks it shares with other split points, all
at once, as the split loader (mde-console-*-split.js) lists them.

    python3 scripts/size-pages.py DIST            # a line per split point
    python3 scripts/size-pages.py DIST demo_root  # that split point's bytes only
"""
import os
import re
import subprocess
import sys

dist = sys.argv[1]
loader = [f for f in os.listdir(dist) if re.fullmatch(r"mde-console-[0-9a-f]+-split\.js", f)]
if len(loader) != 1:
    sys.exit("size-pages.py: expected one mde-console-*-split.js in %s, found %s" % (dist, loader))
text = open(os.path.join(dist, loader[0]), encoding="utf-8").read()

# const __chunk_7 = makeLoad(() => { ... new URL("./file.wasm" ... }, [__chunk_1, ...]);
# export const __wasm_split_load_{point} = wrapAsyncCb(makeLoad(() => { ... }, [...]));
loads = re.findall(r'const (\w+) = (?:wrapAsyncCb\()?makeLoad\(\(\) => \{.*?new URL\("\./([^"]+)".*?\n, \[([^\]]*)\]', text, flags=re.S)
points = {name[len("__wasm_split_load_"):]: name for name, _, _ in loads if name.startswith("__wasm_split_load_")}
if not points:
    sys.exit("size-pages.py: no split point in %s: has wasm-split's loader changed?" % loader[0])
files = {name: file for name, file, _ in loads}
deps = {name: [d.strip() for d in listed.split(",") if d.strip()] for name, _, listed in loads}


def brotli(file):
    data = open(os.path.join(dist, file), "rb").read()
    return len(subprocess.run(["brotli", "-q", "11", "-c"], input=data, capture_output=True, check=True).stdout)


def fetched(point):
    """The files a split point fetches: its module and the chunks it needs."""
    name = points[point]
    return [files[name]] + [files[d] for d in deps[name]]


if len(sys.argv) > 2:
    print(sum(brotli(f) for f in fetched(sys.argv[2])))
else:
    for point in sorted(points):
        wanted = fetched(point)
        print("  %-42s %32d  (%d files)" % (point, sum(brotli(f) for f in wanted), len(wanted)))
