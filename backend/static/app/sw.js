/* Offline shell of the household app: the page and its assets come from the cache when the
   network is down; API reads fall back to their last copy (marked X-From-Cache: 1). */
"use strict";
const VERSION = "app-v1";
const SHELL = ["/", "/static/app/app.css", "/static/app/app.js", "/static/app/icon.svg", "/manifest.webmanifest"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, cacheKey) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(cacheKey, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(cacheKey);
    if (!cached) throw error;
    const headers = new Headers(cached.headers);
    headers.set("X-From-Cache", "1");
    return new Response(await cached.blob(), { status: cached.status, headers });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || request.method !== "GET") return;
  if (request.mode === "navigate" && url.pathname === "/") {
    event.respondWith(networkFirst(request, "/"));
  } else if (url.pathname.startsWith("/static/app/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (url.pathname.startsWith("/api/v1/") && !url.pathname.startsWith("/api/v1/chat/messages")) {
    event.respondWith(networkFirst(request, url.pathname + url.search));
  }
});
