// The Compare page's progress bar, fed by /lab/compare/events; when a run ends the
// page reloads to show its results. Without JavaScript, reloading does the same.
(function () {
  "use strict";
  var box = document.getElementById("compare-progress");
  if (!box || !window.EventSource) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var cancel = box.querySelector("button");
  var wasRunning = false;
  var events = new EventSource("/lab/compare/events");
  events.onmessage = function (message) {
    var progress = JSON.parse(message.data);
    if (progress.run === null) { return; }
    box.hidden = false;
    bar.value = progress.fraction;
    if (progress.status === "running") {
      wasRunning = true;
      cancel.disabled = false;
      text.textContent = progress.done + " of " + progress.total + " done · " +
        progress.configuration + " · about " + progress.seconds_left + " s left";
    } else {
      cancel.disabled = true;
      text.textContent = progress.status;
      if (wasRunning) {
        events.close();
        window.location.assign("/lab/compare?run=" + progress.run);
      }
    }
  };
})();
