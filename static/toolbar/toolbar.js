// The debug toolbar: a handle that opens a sidebar, and tabs between its panels.
// No dependencies; works on the injected toolbar and on /__debug__/requests/{id}.
(function () {
  "use strict";

  function tabs(root) {
    var buttons = root.querySelectorAll(".pdt-tabs [data-tab]");
    var panels = root.querySelectorAll(".pdt-panel");
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        buttons.forEach(function (b) {
          b.setAttribute("aria-selected", String(b === button));
        });
        panels.forEach(function (panel) {
          panel.hidden = panel.getAttribute("data-panel") !== button.getAttribute("data-tab");
        });
      });
    });
  }

  var toolbar = document.getElementById("pokedex-toolbar");
  if (toolbar) {
    var handle = toolbar.querySelector(".pdt-handle");
    var sidebar = toolbar.querySelector(".pdt-sidebar");
    var setOpen = function (open) {
      sidebar.hidden = !open;
      handle.setAttribute("aria-expanded", String(open));
      try { sessionStorage.setItem("pdt-open", open ? "1" : ""); } catch (e) { /* private mode */ }
    };
    handle.addEventListener("click", function () { setOpen(sidebar.hidden); });
    toolbar.querySelector(".pdt-close").addEventListener("click", function () { setOpen(false); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !sidebar.hidden) { setOpen(false); }
    });
    tabs(toolbar);
    var remembered = false;
    try { remembered = Boolean(sessionStorage.getItem("pdt-open")); } catch (e) { /* private mode */ }
    // `#toolbar` in the address opens it too, and `#toolbar-cache` (or any panel's
    // name) opens that panel: links to what the toolbar shows.
    var hash = window.location.hash.match(/^#toolbar(?:-(\w+))?$/);
    if (remembered || hash) { setOpen(true); }
    var tab = hash && hash[1] && toolbar.querySelector('.pdt-tabs [data-tab="' + hash[1] + '"]');
    if (tab) { tab.click(); }
  }

  var page = document.getElementById("pdt-page");
  if (page) { tabs(page); }
})();
