// Live notifications for signed-in pages (docs/notifications.md): the unread message
// badge and background task progress. Events come from a Server-Sent Events stream; when
// the browser has no EventSource, or the stream keeps failing, the page polls
// /notifications?since= every 10 s instead, as the tutorial does.
(function () {
  "use strict";
  const pollInterval = 10000;
  const maxStreamErrors = 3;
  let since = 0;

  function setMessageCount(n) {
    const badge = document.getElementById("message_count");
    if (!badge) { return; }
    badge.textContent = String(n);
    badge.classList.toggle("invisible", !n);
  }

  function setTaskProgress(data) {
    if (!data || typeof data.task_id !== "string") { return; }
    const el = document.getElementById(data.task_id + "-progress");
    if (el) { el.textContent = String(data.progress); }
  }

  function handle(item) {
    if (!item || typeof item.name !== "string") { return; }
    if (typeof item.timestamp === "number" && item.timestamp > since) { since = item.timestamp; }
    if (item.name === "unread_message_count") {
      setMessageCount(item.data);
    } else if (item.name === "task_progress") {
      setTaskProgress(item.data);
    }
  }

  function poll() {
    fetch("/notifications?since=" + encodeURIComponent(since), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) { return null; } // signed out: stop
        if (!response.ok) { return []; }
        return response.json();
      })
      .then(function (items) {
        if (items === null) { return; }
        items.forEach(handle);
        setTimeout(poll, pollInterval);
      })
      .catch(function () { setTimeout(poll, pollInterval); });
  }

  function stream() {
    const source = new EventSource("/notifications/stream");
    // Leaving the page closes the stream at once (and lets the browser keep the page in
    // its back-forward cache).
    window.addEventListener("pagehide", function () { source.close(); });
    let errors = 0;
    source.onopen = function () { errors = 0; };
    source.onmessage = function (e) {
      errors = 0;
      try { handle(JSON.parse(e.data)); } catch (_) { /* not ours */ }
    };
    source.onerror = function () {
      errors++;
      // The browser reconnects by itself (with Last-Event-ID) unless the server refused
      // the stream (CLOSED); after repeated failures, poll instead.
      if (source.readyState === EventSource.CLOSED || errors >= maxStreamErrors) {
        source.close();
        setTimeout(poll, pollInterval);
      }
    };
  }

  if (typeof window.EventSource === "function") {
    stream();
  } else {
    poll();
  }
})();
