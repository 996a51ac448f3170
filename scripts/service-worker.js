// MDE Console's service worker (the template of sw.js: scripts/service-worker.py fills in
// PRECACHE, the build's files with a hash of each, so every build that changes a file changes
// this worker's bytes, which is how the browser finds an update).
//
// It answers only same-origin GETs of the site's own files: the precached files from the cache,
// app routes (deep links) with the cached index.html, config.json from the network first. Every
// other request (ARM, Entra ID, tokens, a trainer's scenario) is left to the browser untouched,
// so no answer of Azure is ever stored.
'use strict';

/** [path below the site's folder, revision] of every file the app needs offline. */
const PRECACHE = /* PRECACHE */ [];
/** One cache per build: its name carries a hash of all the revisions. */
const BUILD = '/* BUILD */';
const CACHE = `mde-console-${BUILD}`;
/** The last config.json the network gave, for a load without network only. */
const CONFIG_CACHE = 'mde-console-config';
const CONFIG = 'config.json';
/** The first segments of the app's routes (index.html's base script and router.rs know them too). */
const ROUTES = ['try', 'tenants', 'setup'];

const scope = new URL('./', self.location).pathname;
const precached = new Map(PRECACHE.map(([path, revision]) => [path, revision]));

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

/** This build's files into its cache; one that fails fails the install (the old build stays). */
function precache() {
  return caches.open(CACHE).then((cache) => Promise.all(PRECACHE.map(async ([path]) => {
    // The shell as the host answers the site's folder (some hosts redirect /index.html to it);
    // `no-cache`: the HTTP cache may hold an older build's file of the same name.
    const response = await fetch(scope + (path === 'index.html' ? '' : path), { cache: 'no-cache' });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    // A redirected answer cannot answer a navigation: keep its body and headers only.
    const kept = response.redirected
      ? new Response(await response.blob(), { status: 200, headers: response.headers })
      : response;
    await cache.put(scope + path, kept);
  })));
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith('mde-console-') && name !== CACHE && name !== CONFIG_CACHE)
      .map((name) => caches.delete(name)));
    // The first install takes the open page at once, so it works offline from this load on.
    await self.clients.claim();
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

async function cacheFirst(request, path) {
  const cached = await caches.open(CACHE).then((cache) => cache.match(scope + path));
  return cached || fetch(request);
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
