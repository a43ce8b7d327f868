// The demo's service worker: it keeps the built app (HTML, scripts, styles, the HNSW .wasm) in the Cache
// API so that the page opens again with no network and no server. The build (vite.config.ts) prepends
// the list of files to keep and a version derived from their names, so a new build installs a new cache
// and the old one is dropped.
//
// What it deliberately leaves alone: model files and ONNX Runtime's two files, which transformers.js keeps
// in its own cache (`transformers-cache`) — caching them here too would store ~30 MB twice — and every
// request to another origin (an LLM endpoint, the hub).
// A module for the type checker (so `self` can be typed as a service worker); the build emits a classic script.
export {}
declare const self: ServiceWorkerGlobalScope
/** Paths relative to this worker's scope, e.g. "assets/index-C7dA8.js"; "" is the page itself. */
declare const PRECACHE: readonly string[]
declare const VERSION: string

const CACHE_PREFIX = 'edgemem-demo-app-'
const CACHE = `${CACHE_PREFIX}${VERSION}`
/** How long a page load waits for the server before answering from the cache. */
const NAVIGATION_TIMEOUT_MS = 3000

const SCOPE = self.registration.scope
const PRECACHED = new Set(PRECACHE.map((path) => new URL(path, SCOPE).href))

self.addEventListener('install', (event) => {
  // `cache: 'reload'` skips the HTTP cache: the files kept are the ones this build served.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((path) => new Request(new URL(path, SCOPE), { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith(CACHE_PREFIX) && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const { request } = event
  if (request.method !== 'GET' || !request.url.startsWith(SCOPE)) return
  if (request.mode === 'navigate') {
    event.respondWith(pageFromNetworkElseCache(request))
    return
  }
  const url = new URL(request.url)
  url.search = ''
  url.hash = ''
  if (PRECACHED.has(url.href)) event.respondWith(fromCacheElseNetwork(request, url.href))
})

/**
 * The page: fresh from the server when it answers in time (so a new build shows), else the kept copy —
 * when the network is down, the server is gone or slow, or it fails with a 5xx.
 */
async function pageFromNetworkElseCache(request: Request): Promise<Response> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), NAVIGATION_TIMEOUT_MS)
  let response: Response | undefined
  let failure: unknown
  try {
    response = await fetch(request, { signal: controller.signal })
    // A server error is worth bypassing; a 404 is the server's real answer.
    if (response.status < 500) return response
  } catch (error) {
    failure = error
  } finally {
    clearTimeout(timer)
  }
  // Any page of the scope (e.g. "?model=…") is the same single-page app.
  const kept = await caches.open(CACHE).then((cache) => cache.match(SCOPE))
  if (kept) return kept
  if (response) return response
  throw failure
}

/** Built files have content-hashed names: the kept copy is always the right one. */
async function fromCacheElseNetwork(request: Request, key: string): Promise<Response> {
  const cached = await caches.open(CACHE).then((cache) => cache.match(key))
  return cached ?? fetch(request)
}
