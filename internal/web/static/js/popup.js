// The user popup (chapter 20). Resting the pointer on an author's name for half a
// second, or reaching it with the keyboard, shows a Bootstrap popover with the user's
// card, loaded once from /user/<name>/popup. The card is placed right after the name, so
// the pointer can move onto it and Tab reaches its links and button; Escape dismisses it
// (WCAG 1.4.13). Follow and Unfollow post the card's form in the background and show
// the card again, updated, its outcome announced; anything else the server answers (the
// user is gone, the session ended) is shown as a page.
//
// Loaded as a file: the CSP allows no inline script. The URL is built from the name in
// data-username with encodeURIComponent, never from the link's text. The card is the
// server's own html/template output, parsed with DOMParser (which runs nothing) and given
// to Bootstrap as an element: Bootstrap's sanitizer stays on for everything else.
(function () {
  "use strict";
  if (!window.bootstrap || !window.bootstrap.Popover) {
    return;
  }
  const showDelay = 500; // ms of hovering before the card shows, as in the tutorial
  const hideDelay = 200; // ms to move the pointer from the name onto the card
  const states = new WeakMap(); // .user-popup wrapper -> its popup's state
  const template = '<div class="popover user-popover" role="dialog">' +
    '<div class="popover-arrow"></div><div class="popover-body"></div></div>';

  // popupPath is the card's path. A name of dots only has them encoded, as the server's
  // links do, or the browser would resolve it as "go up".
  function popupPath(link) {
    const name = link.getAttribute("data-username") || "";
    let segment = encodeURIComponent(name);
    if (/^\.*$/.test(name)) {
      segment = segment.replace(/\./g, "%2E");
    }
    return "/user/" + segment + "/popup";
  }

  function stateOf(wrap) {
    let st = states.get(wrap);
    if (st) {
      return st;
    }
    const link = wrap.querySelector("a.user_popup[data-username]");
    if (!link) {
      return null;
    }
    const body = document.createElement("div");
    body.className = "user-popup-content";
    body.setAttribute("aria-busy", "true");
    body.textContent = link.getAttribute("data-loading") || "";
    st = {
      wrap: wrap, link: link, body: body, open: false, loaded: false, loading: false, busy: false,
      hovered: false, focused: false, dismissed: false, showTimer: 0, hideTimer: 0,
    };
    // No animation: a card shown again while fading out would lose its new tip when the
    // fade ends.
    st.popover = new window.bootstrap.Popover(link, {
      trigger: "manual", html: true, content: body, placement: "right", container: wrap,
      animation: false, template: template,
    });
    states.set(wrap, st);
    return st;
  }

  // contentChanged lets dates.js format the card's dates and moves the popover to fit.
  function contentChanged(st) {
    if (st.open && st.body.isConnected) {
      st.body.dispatchEvent(new CustomEvent("microblog:content", { bubbles: true }));
      st.popover.update();
    }
  }

  function show(st) {
    window.clearTimeout(st.showTimer);
    window.clearTimeout(st.hideTimer);
    if (st.open || st.dismissed) {
      return;
    }
    st.open = true;
    st.popover.show();
    const tip = st.wrap.querySelector(".popover");
    if (tip) {
      tip.setAttribute("aria-label", st.link.textContent.trim());
    }
    st.link.setAttribute("aria-expanded", "true");
    if (st.loaded) {
      contentChanged(st);
    } else {
      load(st);
    }
  }

  function hide(st) {
    window.clearTimeout(st.showTimer);
    window.clearTimeout(st.hideTimer);
    if (!st.open) {
      return;
    }
    st.open = false;
    st.popover.hide();
    st.link.setAttribute("aria-expanded", "false");
    // A follow's outcome was said once; the card shown again is the user's card alone.
    st.body.querySelectorAll('[role="status"]').forEach(function (el) { el.remove(); });
  }

  // fill puts the card of a popup answer in place; false when the answer holds none.
  function fill(st, html) {
    const card = new DOMParser().parseFromString(html, "text/html").querySelector(".user-popup-card");
    if (!card) {
      return false;
    }
    st.body.replaceChildren(document.adoptNode(card));
    st.body.removeAttribute("aria-busy");
    st.loaded = true;
    contentChanged(st);
    return true;
  }

  function failed(st) {
    st.body.removeAttribute("aria-busy");
    st.body.textContent = st.link.getAttribute("data-error") || "";
    contentChanged(st);
  }

  function load(st) {
    if (st.loading) {
      return;
    }
    st.loading = true;
    fetch(popupPath(st.link), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        // A redirect is the sign-in page: the session has ended.
        if (!response.ok || response.redirected) {
          throw new Error("user popup: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (!fill(st, html)) {
          failed(st);
        }
      })
      .catch(function () { failed(st); })
      .finally(function () { st.loading = false; });
  }

  // follow posts a Follow or Unfollow form of the card, asking to be sent back to the
  // card, and shows the card it gets, keeping the keyboard focus on its button.
  function follow(st, form) {
    if (st.busy) {
      return;
    }
    st.busy = true;
    const button = form.querySelector("button");
    const hadFocus = st.wrap.contains(document.activeElement);
    if (button) {
      // Not disabled: that would drop the keyboard focus and close the card.
      button.setAttribute("aria-disabled", "true");
    }
    st.body.setAttribute("aria-busy", "true");
    const path = popupPath(st.link);
    const data = new URLSearchParams(new FormData(form));
    data.set("next", path);
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        const back = response.ok && new URL(response.url).pathname === new URL(path, location.href).pathname;
        return (back ? response.text() : Promise.resolve("")).then(function (html) {
          if (!back || !fill(st, html)) {
            location.assign(response.url);
            return;
          }
          staleOthers(st);
          if (hadFocus) {
            const next = st.body.querySelector("form button, a.btn");
            if (next) {
              next.focus();
            }
          }
        });
      })
      .catch(function () {
        form.submit(); // the ordinary post: the profile page says how it went
      })
      .finally(function () { st.busy = false; });
  }

  // staleOthers makes the other popups of the same user load their card again.
  function staleOthers(st) {
    const name = st.link.getAttribute("data-username");
    document.querySelectorAll(".user-popup").forEach(function (wrap) {
      const other = states.get(wrap);
      if (other && other !== st && other.link.getAttribute("data-username") === name) {
        other.loaded = false;
      }
    });
  }

  function leaveLater(st) {
    window.clearTimeout(st.showTimer);
    window.clearTimeout(st.hideTimer);
    if (st.hovered || st.focused) {
      return;
    }
    st.dismissed = false; // the user left: the next visit shows the card again
    st.hideTimer = window.setTimeout(function () { hide(st); }, hideDelay);
  }

  document.querySelectorAll(".user-popup").forEach(function (wrap) {
    wrap.addEventListener("mouseenter", function () {
      const st = stateOf(wrap);
      if (!st) {
        return;
      }
      st.hovered = true;
      st.dismissed = false; // coming back is asking again
      window.clearTimeout(st.hideTimer);
      if (!st.open) {
        window.clearTimeout(st.showTimer);
        st.showTimer = window.setTimeout(function () { show(st); }, showDelay);
      }
    });
    wrap.addEventListener("mouseleave", function () {
      const st = states.get(wrap);
      if (st) {
        st.hovered = false;
        leaveLater(st);
      }
    });
    wrap.addEventListener("focusin", function (event) {
      const st = stateOf(wrap);
      if (!st) {
        return;
      }
      if (!(event.relatedTarget instanceof Node && wrap.contains(event.relatedTarget))) {
        st.dismissed = false; // the focus comes from elsewhere: asking again
      }
      st.focused = true;
      show(st);
    });
    wrap.addEventListener("focusout", function (event) {
      const st = states.get(wrap);
      // Focus moving within the name and its card, or lost while the card is
      // replaced, is not leaving.
      if (!st || st.busy || (event.relatedTarget instanceof Node && wrap.contains(event.relatedTarget))) {
        return;
      }
      st.focused = false;
      leaveLater(st);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll(".user-popup").forEach(function (wrap) {
      const st = states.get(wrap);
      if (!st || !(st.open || st.hovered || st.focused)) {
        return;
      }
      st.dismissed = true;
      if (wrap.contains(document.activeElement)) {
        // Back to the name before the card goes: Chromium reports a focused element
        // removed with it as the focus leaving.
        st.link.focus();
      }
      hide(st);
    });
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    const wrap = form instanceof HTMLFormElement && form.closest(".user-popup");
    const st = wrap && states.get(wrap);
    if (st && st.body.contains(form)) {
      event.preventDefault();
      follow(st, form);
    }
  });
})();
