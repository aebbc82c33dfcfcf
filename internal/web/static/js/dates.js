// Dates are rendered by the server in UTC; this makes them relative ("3 minutes ago") or
// local, in the browser's language, with the platform's Intl API (no moment.js).
(function () {
  "use strict";
  const lang = document.documentElement.lang || navigator.language;
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  function relative(date) {
    const seconds = Math.round((date.getTime() - Date.now()) / 1000);
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size || unit === "second") {
        return rtf.format(Math.round(seconds / size), unit);
      }
    }
  }
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    const date = new Date(el.getAttribute("datetime"));
    if (isNaN(date)) { return; }
    el.title = date.toLocaleString(lang);
    if (el.hasAttribute("data-relative")) {
      el.textContent = relative(date);
    } else {
      el.textContent = date.toLocaleString(lang, { dateStyle: "long", timeStyle: "short" });
    }
  });
})();
