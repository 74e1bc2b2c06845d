{% autoescape off %}// The distribution day's service worker: the stand's and the desk's pages, offline.
//
// It serves, when the network is gone, what the pages need to open again:
// - the day pages themselves (a stand's list and household panels, the welcome
//   desk): network first, so that online they are always fresh, and each good
//   answer is kept; offline, the last copy of that address (or of the same page
//   without its ?query) is served;
// - the shell's static files (CSS, htmx, the scripts): precached on install,
//   served from the cache (the cache's name changes with their contents).
// Everything else goes to the network untouched: the snapshot and the sync are
// day.js's business (it keeps them in IndexedDB), and no POST is ever answered here.
// The page can ask the worker to keep more pages (`{warm: [urls]}`): the
// household panels, so that a producer can open any household offline.
"use strict";

const CACHE = {{ cache }};
const SHELL = {{ shell }};
const DAY_PAGE = /^\/(producers\/[^/]+\/cycles\/\d+\/day\/(\d+\/)?|g\/[^/]+\/manage\/cycles\/\d+\/day\/desk\/)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  const old = (key) => key.startsWith("cabas-day-") && key !== CACHE;
  const drop = caches.keys().then((keys) => Promise.all(keys.filter(old).map((key) => caches.delete(key))));
  event.waitUntil(drop.then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (DAY_PAGE.test(url.pathname)) event.respondWith(page(event.request, url));
  else if (SHELL.includes(url.pathname)) event.respondWith(asset(event.request));
});

async function page(request, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // A redirect (to the login page) or an error page is not the page: keep the last good copy.
    if (response.ok && !response.redirected) await cache.put(url.href, response.clone());
    return response;
  } catch (offline) {
    const kept = (await cache.match(url.href)) || (await cache.match(url.origin + url.pathname));
    return kept || Response.error();
  }
}

async function asset(request) {
  return (await caches.match(request)) || fetch(request);
}

// Keep the pages the page names, one at a time, skipping those already kept.
self.addEventListener("message", (event) => {
  const urls = event.data?.warm;
  if (Array.isArray(urls)) event.waitUntil(warm(urls));
});

async function warm(urls) {
  const cache = await caches.open(CACHE);
  for (const href of urls) {
    const url = new URL(href, location.origin);
    if (url.origin !== location.origin || !DAY_PAGE.test(url.pathname) || (await cache.match(url.href))) continue;
    try {
      const response = await fetch(url.href, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(url.href, response);
    } catch (offline) {
      return;
    }
  }
}
{% endautoescape %}