// Read a guideline aloud with the browser's own speech synthesis.
// An enhancement only: the button stays hidden where speech is not available.
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  document.querySelectorAll("button[data-read-aloud]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-read-aloud"));
    if (!target) {
      return;
    }
    var startLabel = button.textContent;
    var stopLabel = button.getAttribute("data-label-stop") || startLabel;
    // The label says what a click does ("Read aloud", "Stop reading"); no aria-pressed as well,
    // which would make screen readers announce "Stop reading, pressed".
    function reset() {
      button.textContent = startLabel;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (window.speechSynthesis.speaking) {
        window.speechSynthesis.cancel();
        reset();
        return;
      }
      // Read the text without the button itself.
      var clone = target.cloneNode(true);
      clone.querySelectorAll("button, .screen-count").forEach(function (node) { node.remove(); });
      var utterance = new SpeechSynthesisUtterance(clone.textContent.replace(/\s+/g, " ").trim());
      utterance.lang = target.getAttribute("lang") || document.documentElement.lang;
      utterance.rate = 0.9;
      utterance.onend = reset;
      utterance.onerror = reset;
      button.textContent = stopLabel;
      window.speechSynthesis.speak(utterance);
    });
  });
})();
