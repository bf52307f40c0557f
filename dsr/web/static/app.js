// Improvements only: the page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("copy-text");
    var text = document.getElementById("letter-text");
    var status = document.getElementById("copy-status");
    if (button && text && navigator.clipboard) {
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(text.value).then(function () {
          if (status) { status.textContent = button.getAttribute("data-copied"); }
        });
      });
    }
    var summary = document.getElementById("problems");
    if (summary) { summary.focus(); }
  });
})();
