// The debug toolbar: a handle that opens a sidebar, tabs between its panels, and the
// panels themselves, loaded from the server the first time the sidebar opens (a
// page carries only the handle and the tabs, so serving it costs little).
// No dependencies; works on the injected toolbar and on /__debug__/requests/{id}.
(function () {
  "use strict";

  // The panels are an ARIA tab list: the selected tab alone is in the tab order,
  // and Left/Right (wrapping), Home and End move between tabs, as the ARIA
  // Authoring Practices' tabs pattern has it.
  function tabs(root) {
    var buttons = Array.prototype.slice.call(root.querySelectorAll('[role="tab"]'));
    var select = function (button, focus) {
      buttons.forEach(function (b) {
        var selected = b === button;
        b.setAttribute("aria-selected", String(selected));
        b.tabIndex = selected ? 0 : -1;
        var panel = document.getElementById(b.getAttribute("aria-controls"));
        if (panel) { panel.hidden = !selected; }
      });
      if (focus) { button.focus(); }
    };
    buttons.forEach(function (button, index) {
      button.addEventListener("click", function () { select(button, false); });
      button.addEventListener("keydown", function (event) {
        var to = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: buttons.length - 1 }[event.key];
        if (to === undefined) { return; }
        event.preventDefault();
        select(buttons[(to + buttons.length) % buttons.length], true);
      });
    });
  }

  var toolbar = document.getElementById("pokedex-toolbar");
  if (toolbar) {
    // The server adds the toolbar at the end of the page; moved to its start, its
    // handle is the first stop of the Tab key instead of the last.
    document.body.insertBefore(toolbar, document.body.firstChild);
    var handle = toolbar.querySelector(".pdt-handle");
    var sidebar = toolbar.querySelector(".pdt-sidebar");
    var sections = Array.prototype.slice.call(toolbar.querySelectorAll("[data-panel]"));
    var fill = function (panel, nodes) {
      panel.replaceChildren.apply(panel, nodes);
      panel.removeAttribute("aria-busy");
    };
    // Each section gets the content of the server's section of the same name; on
    // failure, each says why in place of its content.
    var loaded = false;
    var load = function () {
      if (loaded) { return; }
      loaded = true;
      fetch(toolbar.getAttribute("data-panels"), { credentials: "same-origin" })
        .then(function (response) {
          if (response.ok) { return response.text(); }
          throw new Error(response.status === 404
            ? "This request has left the history, which keeps the last 50: reload the page."
            : "The panels could not be loaded (HTTP " + response.status + ").");
        })
        .then(function (html) {
          var served = new DOMParser().parseFromString(html, "text/html");
          sections.forEach(function (panel) {
            var from = served.querySelector('[data-panel="' + panel.getAttribute("data-panel") + '"]');
            fill(panel, from ? Array.prototype.slice.call(from.childNodes) : []);
          });
        })
        .catch(function (error) {
          sections.forEach(function (panel) {
            var message = document.createElement("p");
            message.className = "pdt-error";
            message.textContent = error instanceof TypeError
              ? "The panels could not be loaded: the server did not answer."
              : error.message;
            fill(panel, [message]);
          });
        });
    };
    var setOpen = function (open) {
      if (open) { load(); }
      sidebar.hidden = !open;
      handle.setAttribute("aria-expanded", String(open));
      try { sessionStorage.setItem("pdt-open", open ? "1" : ""); } catch (e) { /* private mode */ }
    };
    // Opened from the keyboard or a click, focus goes to the selected tab; closed,
    // back to the handle, so a keyboard user never loses their place.
    var toggle = function (open) {
      setOpen(open);
      (open ? sidebar.querySelector('[role="tab"][aria-selected="true"]') : handle).focus();
    };
    handle.addEventListener("click", function () { toggle(sidebar.hidden); });
    toolbar.querySelector(".pdt-close").addEventListener("click", function () { toggle(false); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !sidebar.hidden) { toggle(false); }
    });
    tabs(toolbar);
    var remembered = false;
    try { remembered = Boolean(sessionStorage.getItem("pdt-open")); } catch (e) { /* private mode */ }
    // `#toolbar` in the address opens it too, and `#toolbar-cache` (or any panel's
    // name) opens that panel: links to what the toolbar shows.
    var hash = window.location.hash.match(/^#toolbar(?:-(\w+))?$/);
    if (remembered || hash) { setOpen(true); }
    var tab = hash && hash[1] && toolbar.querySelector('[role="tab"][data-tab="' + hash[1] + '"]');
    if (tab) { tab.click(); }
  }

  var page = document.getElementById("pdt-page");
  if (page) { tabs(page); }
})();
