/* Ask before an irreversible action. A form or its submit button carries
 *   data-confirm="提交后不能再修改，确定提交审核吗？"
 * and, for bulk actions, data-confirm-count="ids": the name of the checkboxes whose checked
 * number replaces {count} in the message when the form is submitted. No inline script is needed,
 * so a Content-Security-Policy without 'unsafe-inline' keeps this working. */
(function () {
  "use strict";

  // A button confirmed once is not asked again when other code re-submits the same form
  // (the filing form waits for an autosave and then submits again).
  var confirmed = typeof WeakSet === "function" ? new WeakSet() : null;

  function checkedCount(form, name) {
    var count = 0;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name === name && el.checked) count += 1;
    });
    return count;
  }

  document.addEventListener(
    "submit",
    function (evt) {
      var form = evt.target;
      var submitter = evt.submitter || null;
      var source = submitter && submitter.hasAttribute("data-confirm") ? submitter : form;
      var message = source.getAttribute("data-confirm");
      if (!message) return;
      var key = submitter || form;
      if (confirmed && confirmed.has(key)) return;
      var countName = source.getAttribute("data-confirm-count");
      if (countName) {
        var count = checkedCount(form, countName);
        // Nothing selected: let the server say so instead of asking about zero filings.
        if (count === 0) return;
        message = message.replace("{count}", String(count));
      }
      if (window.confirm(message)) {
        if (confirmed) confirmed.add(key);
        return;
      }
      evt.preventDefault();
      // Captured at the document, so the form's own handlers never see a cancelled submit.
      evt.stopImmediatePropagation();
    },
    true
  );

  window.addEventListener("pageshow", function () {
    if (confirmed) confirmed = new WeakSet();
  });
})();
