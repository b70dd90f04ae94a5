/* The declaration form's suggestions: a past indicator fills a row (or the new row) in place.
 * The filled fields are announced as typed, so filing.js rechecks and autosaves them. */
(function () {
  "use strict";

  function set(id, value) {
    var el = document.getElementById(id);
    if (!el || el.disabled) return;
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest(".fill-row, .fill-new") : null;
    if (!button) return;
    evt.preventDefault();
    if (button.classList.contains("fill-row")) {
      set("id_ind-" + button.dataset.row + "-name", button.dataset.name);
      set("id_ind-" + button.dataset.row + "-target", button.dataset.target);
      return;
    }
    var level = document.getElementById("add-level");
    if (level && Array.prototype.some.call(level.options, function (o) { return o.value === button.dataset.level; })) {
      level.value = button.dataset.level;
    }
    var name = document.getElementById("add-name");
    var target = document.getElementById("add-target");
    if (name) name.value = button.dataset.name;
    if (target) target.value = button.dataset.target;
  });
})();
