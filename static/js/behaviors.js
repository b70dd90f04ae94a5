/* Small page behaviours that used to be inline script or on*= attributes. The
 * Content-Security-Policy allows only scripts served by the app (script-src 'self'), so markup
 * declares what it wants with data attributes and this file wires them up:
 *   <select data-autosubmit>      submits its form when the choice changes (年度, 地区 switches);
 *   <button data-print>           opens the browser's print dialog;
 *   <input id="select-all">       ticks or unticks every enabled input.bulk-select on the page. */
(function () {
  "use strict";

  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (el.id === "select-all") {
      document.querySelectorAll("input.bulk-select").forEach(function (box) {
        if (!box.disabled) box.checked = el.checked;
      });
      return;
    }
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      // requestSubmit fires the submit event, so confirm.js and htmx still see it.
      if (typeof el.form.requestSubmit === "function") el.form.requestSubmit();
      else el.form.submit();
    }
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-print]");
    if (button) window.print();
  });
})();
