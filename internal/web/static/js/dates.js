// Dates are rendered by the server in UTC; this makes them relative ("3 minutes ago") or
// local, in the browser's language, with the platform's Intl API (no moment.js).
// data-relative gives a relative date, data-format="medium" a short one ("Nov 5, 2023,
// 6:41 PM", the user popup's), anything else a long one. Content a script adds later
// (the user popup) is formatted when it dispatches a "microblog:content" event.
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
  function render(root) {
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      const date = new Date(el.getAttribute("datetime"));
      if (isNaN(date)) { return; }
      el.title = date.toLocaleString(lang);
      if (el.hasAttribute("data-relative")) {
        el.textContent = relative(date);
      } else {
        const dateStyle = el.getAttribute("data-format") === "medium" ? "medium" : "long";
        el.textContent = date.toLocaleString(lang, { dateStyle: dateStyle, timeStyle: "short" });
      }
    });
  }
  render(document);
  document.addEventListener("microblog:content", function (event) {
    if (event.target instanceof Element) {
      render(event.target);
    }
  });
})();
