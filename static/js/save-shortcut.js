/* Ctrl+S (Cmd+S on a Mac) saves the draft on the filing form instead of opening the browser's
 * "save page" dialog: it presses the form's own 保存草稿 button, so the save goes exactly the
 * way a click goes (autosave wait, conflict page, messages). Pages without that button (a
 * submitted, read-only filing) keep the browser's own behaviour. Loaded as a file: the
 * Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  document.addEventListener("keydown", function (evt) {
    if (!(evt.ctrlKey || evt.metaKey) || evt.altKey || evt.shiftKey) return;
    if (evt.key !== "s" && evt.key !== "S") return;
    var button = document.getElementById("save-button");
    if (!button || !button.form) return;
    evt.preventDefault();
    if (button.disabled || evt.repeat) return;
    // requestSubmit fires the submit event, so confirm.js and the form's own handlers see it.
    if (typeof button.form.requestSubmit === "function") button.form.requestSubmit(button);
    else button.click();
  });
})();
