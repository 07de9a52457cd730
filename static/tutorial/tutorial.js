// The tutorial's checks, followed live: every two seconds the step's page reads its
// checks again (/tutorial/{step}/checks, as recorded requests now show them) and
// puts in those that changed. Without JavaScript, reloading the page does the same.
(function () {
  "use strict";
  var parts = document.querySelector("[data-checks-url]");
  if (!parts || !window.fetch || !window.DOMParser) { return; }
  var url = parts.getAttribute("data-checks-url");

  function update(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    fresh.querySelectorAll("[data-checks]").forEach(function (list) {
      var part = list.getAttribute("data-checks");
      var shown = parts.querySelector('[data-checks="' + part + '"]');
      if (shown && shown.innerHTML !== list.innerHTML) { shown.innerHTML = list.innerHTML; }
    });
  }

  function poll() {
    fetch(url, { cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) { document.body.classList.remove("tutorial-stale"); update(html); })
      .catch(function () { document.body.classList.add("tutorial-stale"); })
      .then(function () { window.setTimeout(poll, 2000); });
  }

  window.setTimeout(poll, 2000);
})();
