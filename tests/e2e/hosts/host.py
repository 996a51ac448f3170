"""A static host as the e2e tests meet it: serves a built site the way one host does.

    python3 host.py github-pages SITE_DIR [--folder /mde-console/]
    python3 host.py static-web-apps SITE_DIR
    python3 host.py nginx SITE_DIR [--folder /tools/mde-console/] [--nginx-conf FILE]

Prints `listening on http://127.0.0.1:PORT` once it listens. SITE_DIR holds the site (dist/),
served under FOLDER (default `/`); anything outside FOLDER is the host's own 404.

- github-pages: a file, or a folder's index.html (a folder without its slash is redirected to
  it, as Pages does); any other path gets the site's 404.html with status 404. No other header.
- static-web-apps: staticwebapp.config.json in SITE_DIR as Azure Static Web Apps reads it:
  `routes` (their headers, the first match), `navigationFallback` (a path that matches an
  `exclude` filter is its file or a 404; any other gets the `rewrite` file, status 200, as the
  SWA CLI's emulator does), `globalHeaders` on every answer, `mimeTypes`. Served from the root.
- nginx: hosting/nginx.conf's rules: its `add_header` lines on every answer (a `map $uri`'s
  variable evaluated: its first matching regex, else its default), the locations with
  `try_files $uri =404` (files of those extensions are the file or a 404), and
  `try_files $uri $uri/ FOLDER/index.html` for any other path.
"""
import argparse
import json
import mimetypes
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
NGINX_CONF = os.path.join(HERE, "..", "..", "..", "hosting", "nginx.conf")

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/json", ".json")
mimetypes.add_type("application/manifest+json", ".webmanifest")


class Answer:
    """What the host sends: a status, headers, and a file or a short text."""

    def __init__(self, status, file=None, text=None, headers=None):
        self.status, self.file, self.text = status, file, text
        self.headers = dict(headers or {})


def content_type(file, mime_types=None):
    ext = os.path.splitext(file)[1].lower()
    if mime_types and ext in mime_types:
        return mime_types[ext]
    kind = mimetypes.guess_type(file)[0] or "application/octet-stream"
    return kind + "; charset=utf-8" if kind.startswith("text/") else kind


class Site:
    """The files under SITE_DIR, as the paths below FOLDER name them."""

    def __init__(self, root, folder):
        self.root = os.path.realpath(root)
        self.folder = folder if folder.endswith("/") else folder + "/"

    def relative(self, path):
        """`path` below the folder (without its leading slash), or None outside the site."""
        if path + "/" == self.folder:
            return ""
        if not path.startswith(self.folder):
            return None
        return path[len(self.folder):]

    def file(self, relative):
        """The file `relative` names, or None (no file, a folder, or outside the site)."""
        full = os.path.normpath(os.path.join(self.root, unquote(relative)))
        if not (full == self.root or full.startswith(self.root + os.sep)):
            return None
        return full if os.path.isfile(full) else None

    def is_folder(self, relative):
        return os.path.isdir(os.path.join(self.root, unquote(relative)))


def github_pages(site, path):
    relative = site.relative(path)
    if relative is None:
        return Answer(404, text="404: GitHub's own page (not this site)")
    if relative == "" and not path.endswith("/"):
        return Answer(301, headers={"Location": site.folder})
    if site.is_folder(relative):
        if relative and not relative.endswith("/"):
            return Answer(301, headers={"Location": path + "/"})
        relative = relative + "index.html"
    found = site.file(relative)
    if found:
        return Answer(200, file=found)
    not_found = site.file("404.html")
    return Answer(404, file=not_found) if not_found else Answer(404, text="404")


def swa_pattern(glob):
    """A route or exclude filter as a regular expression (one `*`, an optional `.{a,b}`)."""
    head, star, tail = glob.partition("*")
    if not star:
        return re.compile(re.escape(glob) + "$")
    group = re.match(r"^\.\{([\w,]+)\}$", tail)
    if group:
        return re.compile(re.escape(head) + r".*\.(" + "|".join(group.group(1).split(",")) + ")$")
    return re.compile(re.escape(head) + ".*" + re.escape(tail) + "$")


class StaticWebApps:
    def __init__(self, site):
        self.site = site
        self.read_config()

    def read_config(self):
        """Read before each answer (a test writes the file once it knows the fake's origin)."""
        config = json.load(open(os.path.join(self.site.root, "staticwebapp.config.json"), encoding="utf-8"))
        self.routes = [(swa_pattern(r["route"]), r.get("headers", {})) for r in config.get("routes", [])]
        fallback = config.get("navigationFallback", {})
        self.rewrite = fallback.get("rewrite")
        self.exclude = [swa_pattern(f) for f in fallback.get("exclude", [])]
        self.global_headers = config.get("globalHeaders", {})
        self.mime_types = config.get("mimeTypes", {})

    def __call__(self, path):
        self.read_config()
        answer = self.serve(path)
        route_headers = next((h for pattern, h in self.routes if pattern.match(path)), {})
        answer.headers = {**self.global_headers, **route_headers, **answer.headers}
        return answer

    def serve(self, path):
        relative = path.lstrip("/")
        if self.site.is_folder(relative):
            relative = relative.rstrip("/") + "/index.html" if relative else "index.html"
        found = self.site.file(relative)
        if any(pattern.match(path) for pattern in self.exclude) or not self.rewrite:
            return Answer(200, file=found) if found else Answer(404, text="404: Not Found")
        return Answer(200, file=self.site.file(self.rewrite.lstrip("/")))


class Nginx:
    def __init__(self, site, conf_path=NGINX_CONF):
        conf = open(conf_path, encoding="utf-8").read()
        live = "\n".join(line.split("#", 1)[0] for line in conf.splitlines())
        self.site = site
        # `map $uri $name { ~regex value; default value; }`: the first regex that matches.
        self.maps = {}
        for name, body in re.findall(r"map\s+\$uri\s+\$(\w+)\s*\{([^}]*)\}", live):
            rules = re.findall(r'^\s*(\S+)\s+("[^"]*"|\S+);', body, re.M)
            self.maps[name] = [(key, value.strip('"')) for key, value in rules]
        # Headers: a quoted string or one word, or a $variable of a map above.
        fixed = r'^\s*add_header\s+([\w-]+)\s+(?:"([^"$]*)"|([^\s"$;]+)|\$(\w+))\s+always;'
        self.headers = {name: quoted or word or "$" + var for name, quoted, word, var in re.findall(fixed, live, re.M)}
        # `location ~* \.(js|css)$ { try_files $uri =404; }`: those extensions, never the app.
        self.files_only = []
        for block in re.findall(r"location\s+~\*\s+(\S+)\s*\{((?:[^{}]|\{[^{}]*\})*)\}", live):
            if "=404" in block[1]:
                self.files_only.append(re.compile(block[0], re.I))
        if not self.headers or not self.files_only:
            sys.exit("host.py: hosting/nginx.conf has no add_header ... always; or no try_files $uri =404")

    def value(self, header, path):
        """A header's value for `path` (a map's variable evaluated; empty: nginx sends no header)."""
        if not header.startswith("$"):
            return header
        rules = self.maps.get(header[1:], [])
        for key, value in rules:
            if key.startswith("~") and re.search(key[1:], path):
                return value
        return next((value for key, value in rules if key == "default"), "")

    def __call__(self, path):
        answer = self.serve(path)
        headers = {name: self.value(value, path) for name, value in self.headers.items()}
        answer.headers = {**{n: v for n, v in headers.items() if v}, **answer.headers}
        return answer

    def serve(self, path):
        relative = self.site.relative(path)
        if relative is None:
            return Answer(404, text="404 Not Found (outside the site's location)")
        if relative == "" and not path.endswith("/"):
            return Answer(301, headers={"Location": self.site.folder})
        found = self.site.file(relative)
        if any(pattern.search(path) for pattern in self.files_only):
            return Answer(200, file=found) if found else Answer(404, text="404 Not Found")
        if found:
            return Answer(200, file=found)
        if self.site.is_folder(relative) and self.site.file(relative.rstrip("/") + "/index.html"):
            return Answer(200, file=self.site.file(relative.rstrip("/") + "/index.html"))
        return Answer(200, file=self.site.file("index.html"))


def handler(host, mime_types=None):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.answer(body=True)

        def do_HEAD(self):
            self.answer(body=False)

        def answer(self, body):
            answer = host(urlsplit(self.path).path)
            data = open(answer.file, "rb").read() if answer.file else (answer.text or "").encode()
            self.send_response(answer.status)
            kind = content_type(answer.file, mime_types()) if answer.file else "text/plain; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, *args):
            if os.environ.get("E2E_DEBUG"):
                super().log_message(*args)

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("host", choices=["github-pages", "static-web-apps", "nginx"])
    parser.add_argument("site")
    parser.add_argument("--folder", default="/")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--nginx-conf", default=NGINX_CONF, help="another copy of hosting/nginx.conf")
    args = parser.parse_args()
    site = Site(args.site, args.folder)
    if args.host == "github-pages":
        host, mime_types = (lambda path: github_pages(site, path)), lambda: None
    elif args.host == "static-web-apps":
        if site.folder != "/":
            sys.exit("host.py: Azure Static Web Apps serves a site from its domain's root only")
        host = StaticWebApps(site)
        mime_types = lambda: host.mime_types  # noqa: E731
    else:
        host, mime_types = Nginx(site, args.nginx_conf), lambda: None
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(host, mime_types))
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
