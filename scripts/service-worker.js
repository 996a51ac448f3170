// MDE Console's service worker (the template of sw.js: scripts/service-worker.py fills in
// PRECACHE, the build's files with a hash of each, so every build that changes a file changes
// this worker's bytes, which is how the browser finds an update).
//
// It answers only same-origin GETs of the site's own files: the precached files from the cache,
// app routes (deep links) with the cached index.html, config.json from the network first. Every
// other request (ARM, Entra ID, tokens, a trainer's scenario) is left to the browser untouched,
// so no answer of Azure is ever stored.
'use strict';

/** [path below the site's folder, SHA-256 of its bytes (hex)] of every file the app needs offline. */
const PRECACHE = /* PRECACHE */ [];
/** One cache per build: its name carries a hash of all the files' hashes. */
const BUILD = '/* BUILD */';
/** The first segments of the app's routes (index.html's base script and router.rs know them too). */
const ROUTES = ['try', 'tenants', 'setup'];
const CONFIG = 'config.json';

const scope = new URL('./', self.location).pathname;
const precached = new Map(PRECACHE.map(([path, sha256]) => [path, sha256]));
// The caches' names carry the registration's scope: two deployments on one origin (/mde/ and
// /mde-staging/) keep their own copies, and neither deletes the other's.
const PREFIX = `mde-console ${scope} `;
const CACHE = PREFIX + BUILD;
/** The last config.json the network gave, for a load without network only. */
const CONFIG_CACHE = `mde-console-config ${scope}`;
/** The names of an earlier version of this worker, which had no scope in them. */
const UNSCOPED = /^mde-console-([0-9a-f]{16}|config)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(Promise.all([precache(), networkFirst(new Request(scope + CONFIG)).catch(() => {}), bypass(event)]));
});

/**
 * Requests to other origins (ARM, Entra ID) go straight to the network without waking this
 * worker at all (the Service Worker Static Routing API, where the browser has it); elsewhere
 * the fetch handler below lets them pass untouched.
 */
function bypass(event) {
  if (!event.addRoutes || typeof URLPattern !== 'function') return Promise.resolve();
  const site = new URLPattern({
    protocol: self.location.protocol.slice(0, -1), hostname: self.location.hostname, port: self.location.port,
  });
  return event.addRoutes([{ condition: { not: { urlPattern: site } }, source: 'network' }]).catch(() => {});
}

/** The SHA-256 of `bytes`, in hex. */
async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * This build's files into its cache, each only if its bytes are the ones the build listed; one
 * that fails or differs fails the install (the old build stays). The host, a CDN in front or a
 * proxy may answer with another build's file of the same name: that copy is never kept.
 */
function precache() {
  return caches.open(CACHE).then((cache) => Promise.all(PRECACHE.map(async ([path, expected]) => {
    // The shell as the host answers the site's folder (some hosts redirect /index.html to it);
    // `no-cache`: the HTTP cache may hold an older build's file of the same name.
    const response = await fetch(scope + (path === 'index.html' ? '' : path), { cache: 'no-cache' });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    const bytes = await response.arrayBuffer();
    if (await sha256(bytes) !== expected) throw new Error(`${path}: not this build's file (its SHA-256 differs)`);
    // Body and headers only (a redirected answer could not answer a navigation).
    await cache.put(scope + path, new Response(bytes, { status: 200, headers: response.headers }));
  })));
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    const earlier = names.filter((name) => (name.startsWith(PREFIX) && name !== CACHE) || UNSCOPED.test(name));
    await Promise.all(earlier.map((name) => caches.delete(name)));
    if (!earlier.some((name) => name !== 'mde-console-config')) {
      // The first install takes the open pages at once, so they work offline from this load on.
      await self.clients.claim();
    } else {
      // An update, which one tab's Reload let in: the other tabs of the site still run the
      // earlier build, whose files (its pages' split modules) are gone with its cache. They are
      // told to reload rather than run on with half a build.
      for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage('build-changed');
    }
  })());
});

// The page's "Reload" on the update notice: the waiting build takes over.
self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(scope)) return;
  const path = url.pathname.slice(scope.length);
  if (path === CONFIG) {
    event.respondWith(networkFirst(request));
  } else if (precached.has(path) && !url.search) {
    event.respondWith(cacheFirst(request, path));
  } else if (request.mode === 'navigate' && isAppRoute(path)) {
    event.respondWith(cacheFirst(request, 'index.html'));
  }
});

function isAppRoute(path) {
  const first = path.split('/')[0];
  return first === '' || ROUTES.includes(first);
}

/**
 * The cached copy when its bytes are still the build's; else (Cache Storage is the origin's:
 * any script of the origin may have rewritten it) the copy is dropped and the network answers.
 */
async function cacheFirst(request, path) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(scope + path);
  if (cached) {
    const bytes = await cached.arrayBuffer();
    if (await sha256(bytes) === precached.get(path)) {
      return new Response(bytes, { status: cached.status, statusText: cached.statusText, headers: cached.headers });
    }
    await cache.delete(scope + path);
  }
  return fetch(request);
}

/** config.json as the host has it now; the last copy only when the network fails. */
async function networkFirst(request) {
  const cache = await caches.open(CONFIG_CACHE);
  try {
    const response = await fetch(request, { cache: 'no-cache' });
    if (response.ok) await cache.put(scope + CONFIG, response.clone());
    return response;
  } catch (offline) {
    const cached = await cache.match(scope + CONFIG);
    if (cached) return cached;
    throw offline;
  }
}
