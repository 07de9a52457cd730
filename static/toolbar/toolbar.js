// The debug toolbar: a handle that opens a sidebar, and tabs between its panels.
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
    var setOpen = function (open) {
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
