// The lab, kept up to date: every second it reads /lab/state.json and rewrites the
// numbers of each backend card and each strategy's current setting. The forms work
// without it.
(function () {
  "use strict";

  function count(value) { return value === null || value === undefined ? "–" : String(value); }
  function size(bytes) { return bytes === null || bytes === undefined ? "–" : (bytes / 1000).toFixed(1) + " kB"; }
  function ratio(value) { return value === null || value === undefined ? "–" : Math.round(value * 100) + " %"; }
  function millis(value) { return value.toFixed(1) + " ms"; }
  var formats = { bytes: size, hit_ratio: ratio, time_ms: millis };

  function show(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function update(state) {
    Object.keys(state.backends).forEach(function (name) {
      var card = document.querySelector('.lab-card[data-backend="' + name + '"]');
      if (!card) { return; }
      var backend = state.backends[name];
      card.classList.toggle("lab-down", !backend.reachable);
      show(card.querySelector('[data-field="status"]'), backend.reachable ? "reachable" : "unreachable");
      var problem = card.querySelector('[data-field="error"]');
      problem.hidden = !backend.error;
      show(problem, backend.error || "");
      var lastError = card.querySelector('[data-field="last_error"]');
      lastError.hidden = !backend.last_error;
      show(lastError.querySelector("span"), backend.last_error || "");
      show(card.querySelector('[data-field="used_by"]'),
        backend.used_by.length ? "used by " + backend.used_by.join(", ") : "no strategy uses it");
      ["entries", "bytes", "hits", "misses", "hit_ratio", "errors", "sets", "time_ms"].forEach(function (field) {
        var format = formats[field] || count;
        show(card.querySelector('[data-field="' + field + '"]'), format(backend[field]));
        var minute = card.querySelector('[data-minute="' + field + '"]');
        if (minute) { show(minute, format(backend.last_minute[field])); }
      });
    });
    show(document.querySelector("[data-invalidation] [data-now]"), state.invalidation.mode);
    Object.keys(state.strategies).forEach(function (name) {
      var strategy = state.strategies[name];
      var now = document.querySelector('[data-strategy="' + name + '"] [data-now]');
      show(now, strategy.backend + (strategy.backend === "off" ? "" : " · " + strategy.seconds + " s"));
    });
  }

  function poll() {
    fetch("/lab/state.json", { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (state) { document.body.classList.remove("lab-stale"); update(state); })
      .catch(function () { document.body.classList.add("lab-stale"); })
      .then(function () { window.setTimeout(poll, 1000); });
  }

  window.setTimeout(poll, 1000);
})();
