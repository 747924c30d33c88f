// Behaviour every page shares (no inline handlers: the Content Security Policy allows scripts only from files).
//  - Quick exit: leave at once for a neutral site, replacing this page in the history so Back does not
//    return. Escape pressed twice in a row does the same.
//  - <select data-autosubmit> submits its form when changed (the language switch).
//  - <button data-print> opens the print dialog.
//  - <select data-shows="NAME"> shows the element of [data-NAME] whose value is chosen and hides the others (the send
//    form's preview in the message's language).
(function () {
  "use strict";
  function leave() {
    const target = document.body.dataset.quickExitUrl || "https://www.google.com/";
    document.body.style.display = "none";
    window.location.replace(target);
  }
  document.addEventListener("DOMContentLoaded", function () {
    const button = document.getElementById("quick-exit");
    if (button) button.addEventListener("click", leave);
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("button[data-print]").forEach(function (printButton) {
      printButton.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("select[data-shows]").forEach(function (select) {
      const name = select.dataset.shows;
      const show = function () {
        document.querySelectorAll("[data-" + name + "]").forEach(function (element) {
          element.hidden = element.getAttribute("data-" + name) !== select.value;
        });
      };
      select.addEventListener("change", show);
      show();
    });
  });
  let lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - lastEscape < 800) leave();
    lastEscape = now;
  });
})();
