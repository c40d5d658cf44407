// Service worker of the officer scanner (served as /officer/scan-sw.js, scope /officer/).
// Keeps the scanner page, its decoder and the receipt key set so that a receipt can still be
// checked when the office's network is down. The page itself fills the cache (scan.js).
"use strict";
var CACHE = "rekam-scan-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function fresh(request, matchOptions) {
  // Network first, so an online officer always sees the current page and keys.
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, matchOptions).then(function (hit) {
      if (!hit) { return Response.error(); }
      // Marked, so the page can say it is working from what this device kept.
      var headers = new Headers(hit.headers);
      headers.set("X-Rekam-Offline", "1");
      return hit.blob().then(function (body) {
        return new Response(body, { status: hit.status, statusText: hit.statusText,
                                    headers: headers });
      });
    });
  });
}

function kept(request) {
  // Static files carry a content hash in their URL: a cached copy is always right.
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(kept(request));
  } else if (url.pathname === "/officer/scan") {
    event.respondWith(fresh(request, { ignoreSearch: true, ignoreVary: true }));
  } else if (url.pathname === "/.well-known/jwks.json") {
    event.respondWith(fresh(request, { ignoreVary: true }));
  }
});
