/* Offline shell of the household app: the page and its assets come from the cache when the
   network is down; API reads fall back to their last copy (marked X-From-Cache: 1).
   Web push: FCM delivers a notice as a standard Push API message (JSON with `notification`
   and `data`, backend: notifications/delivery.py build_message); this worker shows it, and a
   click opens the notice in the app (/#notices/ID). No Firebase code runs here. */
"use strict";
const VERSION = "app-v2";
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

self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (error) { message = {}; }
  const shown = message.notification || {};
  const data = message.data || {};
  const id = /^\d+$/.test(data.notification_id || "") ? data.notification_id : null;
  const title = shown.title || data.title || "Trợ lý tiết kiệm điện";
  event.waitUntil((async () => {
    await self.registration.showNotification(title, {
      body: shown.body || data.body || "",
      icon: "/static/app/icon-192.png",
      lang: "vi",
      tag: id ? "notice-" + id : undefined,
      data: { url: id ? "/#notices/" + id : "/#notices" },
    });
    for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage({ type: "notice", id });
  })());
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/#notices", self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
    if (open) { await open.navigate(url).catch(() => null); return open.focus(); }
    return self.clients.openWindow(url);
  })());
});
