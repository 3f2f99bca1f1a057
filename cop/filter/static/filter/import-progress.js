// Follows a list import while it runs: polls the version's progress and updates the bar and the
// status text (a polite live region), then reloads once to show the result. Without JavaScript
// the page offers a link to check again.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.done === "true") {
    return;
  }
  var bar = box.querySelector("progress");
  var status = document.getElementById("import-status");
  var url = box.dataset.url;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.percent !== null) {
          bar.value = data.percent;
          bar.textContent = data.percent + "%";
        }
        status.textContent = data.percent !== null
          ? box.dataset.template.replace("%(percent)s", data.percent)
          : data.status_text;
        if (data.done) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
