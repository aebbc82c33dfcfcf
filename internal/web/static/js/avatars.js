// An avatar that cannot be loaded (Gravatar unreachable, blocked or slow to fail) is
// replaced by the app's own drawing of the same user (data-fallback), so no page shows a
// broken image. Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";
  function useFallback(img) {
    const fallback = img.getAttribute("data-fallback");
    if (fallback && img.getAttribute("src") !== fallback) {
      img.src = fallback; // once only: a failing fallback is not retried
    }
  }
  // Load errors do not bubble; listening in the capture phase sees every image's.
  document.addEventListener("error", function (event) {
    const el = event.target;
    if (el instanceof HTMLImageElement && el.hasAttribute("data-fallback")) {
      useFallback(el);
    }
  }, true);
  // Images that failed before this script ran.
  document.querySelectorAll("img[data-fallback]").forEach(function (img) {
    if (img.complete && img.naturalWidth === 0) {
      useFallback(img);
    }
  });
})();
