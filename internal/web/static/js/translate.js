// The "Translate" link under a post in another language than the reader's (chapter 14):
// clicking it shows the translation in place of the link. Loaded as a file: the CSP
// allows no inline script or handlers. The translation is set as text, never as HTML.
(function () {
  "use strict";
  async function translate(button) {
    const post = document.getElementById(button.getAttribute("data-post"));
    const span = button.parentElement;
    if (!post || !span) {
      return;
    }
    // The loading state: a spinner in place of the link until the answer comes.
    const spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm translate-loading";
    spinner.setAttribute("role", "status");
    span.setAttribute("aria-busy", "true");
    span.replaceChildren(spinner);
    let text;
    try {
      const response = await fetch("/translate", {
        method: "POST",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        credentials: "same-origin",
        body: JSON.stringify({
          text: post.textContent,
          source_language: button.getAttribute("data-source"),
          dest_language: button.getAttribute("data-dest"),
        }),
      });
      const data = await response.json();
      text = data.text || data.error;
    } catch (err) {
      text = null;
    }
    span.removeAttribute("aria-busy");
    span.classList.add("text-body-secondary"); // the translation, set apart from the post
    span.textContent = text || button.dataset.error;
  }
  document.addEventListener("click", function (event) {
    const button = event.target instanceof Element && event.target.closest("button.translate-link");
    if (button) {
      event.preventDefault();
      translate(button);
    }
  });
})();
