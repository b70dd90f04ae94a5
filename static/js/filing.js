/* The evaluation form: live scoring, autosave, money formatting, keyboard navigation.
 * The server does every computation; this file only decides when to ask it and keeps the
 * filer's typing safe (nothing typed is ever replaced while its field has the focus). */
(function () {
  "use strict";

  var form = document.getElementById("filing-form");
  if (!form) return;
  var editable = form.dataset.editable === "1";
  var autosaveMs = (parseInt(form.dataset.autosaveSeconds, 10) || 30) * 1000;
  var dirty = false;
  var conflicted = false;
  var locked = false;
  var submitting = false;
  var inputTimer = null;
  var blurTimer = null;

  function byId(id) { return document.getElementById(id); }
  function fire(id, name) {
    var el = byId(id);
    if (el && window.htmx) window.htmx.trigger(el, name);
  }
  function recompute() { fire("recompute", "recompute"); }
  function autosave() {
    if (!editable || conflicted || locked || !dirty) return;
    dirty = false;
    var status = byId("save-status");
    if (status) status.textContent = "正在保存…";
    fire("autosave", "autosave");
  }

  // ------------------------------------------------------------ numbers as typed in China
  var FULL = "０１２３４５６７８９，．－";
  var HALF = "0123456789,.-";
  function fold(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var k = FULL.indexOf(text[i]);
      out += k >= 0 ? HALF[k] : text[i];
    }
    return out.replace(/\s+/g, "");
  }
  function plainNumber(text) {
    var t = fold(text).replace(/,/g, "");
    return /^-?\d+(\.\d+)?$/.test(t) ? t : null;
  }
  function group(text) {
    var t = plainNumber(text);
    if (t === null) return text;
    var neg = t[0] === "-";
    if (neg) t = t.slice(1);
    var parts = t.split(".");
    var int = parts[0].replace(/^0+(?=\d)/, "");
    int = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (neg ? "-" : "") + int + (parts.length > 1 ? "." + parts[1] : "");
  }
  // Move the decimal point without floating point: 万元 ↔ 元 is exactly four places.
  function shift(text, places) {
    var t = plainNumber(text);
    if (t === null) return text;
    var neg = t[0] === "-";
    if (neg) t = t.slice(1);
    var parts = t.split(".");
    var int = parts[0];
    var frac = parts[1] || "";
    if (places > 0) {
      while (frac.length < places) frac += "0";
      int = int + frac.slice(0, places);
      frac = frac.slice(places);
    } else {
      var n = -places;
      while (int.length <= n) int = "0" + int;
      frac = int.slice(int.length - n) + frac;
      int = int.slice(0, int.length - n);
    }
    int = int.replace(/^0+(?=\d)/, "");
    frac = frac.replace(/0+$/, "");
    if (frac.length < 2) frac = (frac + "00").slice(0, 2);
    return group((neg ? "-" : "") + int + "." + frac);
  }
  function moneyInputs() {
    return form.querySelectorAll('input[name^="fund-"]');
  }

  function currentUnit() {
    var checked = form.querySelector('input[name="ev-money_unit"]:checked');
    return checked ? checked.value : "万元";
  }
  form.dataset.unit = currentUnit();

  // ------------------------------------------------------------ claimed scores follow computed
  function autoField(input) {
    var name = input.name.replace(/claimed_score$/, "claimed_auto").replace(
      /claimed_execution_score$/, "claimed_execution_auto");
    return form.querySelector('input[name="' + name + '"]');
  }
  function isAuto(hidden) {
    return hidden && (hidden.value === "True" || hidden.value === "true" || hidden.value === "on");
  }

  function afterRefresh() {
    document.querySelectorAll(".row-score").forEach(function (span) {
      var row = byId("row-" + span.dataset.row);
      if (!row) return;
      row.classList.remove("row-error", "row-warning", "row-info");
      if (span.dataset.worst) row.classList.add("row-" + span.dataset.worst);
      var claimed = row.querySelector('input[name$="-claimed_score"]');
      if (claimed && document.activeElement !== claimed && isAuto(autoField(claimed))) {
        claimed.value = span.dataset.score || "";
      }
    });
    var exec = byId("exec-score");
    var execInput = form.querySelector('input[name="ev-claimed_execution_score"]');
    if (exec && execInput && document.activeElement !== execInput && isAuto(autoField(execInput))) {
      execInput.value = exec.dataset.score || "";
    }
    document.querySelectorAll('.invalid-feedback[id^="err-"]').forEach(function (slot) {
      var input = byId(slot.id.slice(4));
      if (!input) return;
      if (slot.textContent.trim()) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
    var status = byId("save-status");
    if (status && status.dataset.conflict) conflicted = true;
    if (status && status.dataset.locked) locked = true;
  }

  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var code = evt.detail.xhr.status;
    var source = evt.detail.elt && evt.detail.elt.id;
    if (code === 200 && (source === "recompute" || source === "autosave")) {
      // These answers carry the messages of every invalid field; the rest are now valid.
      document.querySelectorAll('.invalid-feedback[id^="err-"]').forEach(function (slot) {
        slot.textContent = "";
      });
    }
    // Conflicts and refusals carry a banner for the filer: show it rather than fail silently.
    if (code === 409 || code === 422 || code === 403) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:afterSettle", afterRefresh);
  document.body.addEventListener("htmx:oobAfterSwap", function () { window.setTimeout(afterRefresh, 0); });
  ["htmx:sendError", "htmx:responseError"].forEach(function (name) {
    document.body.addEventListener(name, function (evt) {
      if (evt.detail.elt && evt.detail.elt.id === "autosave") {
        dirty = true;
        var status = byId("save-status");
        if (status) status.textContent = "自动保存失败（网络或服务器问题），将稍后重试；请勿关闭页面。";
      }
    });
  });

  // ------------------------------------------------------------ typing, changes, autosave
  if (editable) {
    form.addEventListener("input", function (evt) {
      var t = evt.target;
      dirty = true;
      if (/claimed_(execution_)?score$/.test(t.name || "")) {
        var hidden = autoField(t);
        if (hidden) hidden.value = "False";
      }
      if (/^nr-note_/.test(t.name || "")) {
        // The filer's own words from now on: stop following the figures.
        var follow = form.querySelector('input[name="' + t.name.replace("nr-note_", "nr-auto_") + '"]');
        if (follow) follow.value = "False";
      }
      if (t.tagName === "INPUT" && t.type === "text") {
        window.clearTimeout(inputTimer);
        inputTimer = window.setTimeout(recompute, 600);
      }
    });
    form.addEventListener("change", function (evt) {
      var t = evt.target;
      dirty = true;
      if (t.name === "ev-money_unit") {
        var from = form.dataset.unit;
        var to = currentUnit();
        if (from !== to) {
          var places = from === "万元" ? 4 : -4;
          moneyInputs().forEach(function (input) {
            if (input.value.trim()) input.value = shift(input.value, places);
          });
          document.querySelectorAll(".money-unit-label").forEach(function (el) { el.textContent = to; });
          form.dataset.unit = to;
        }
      }
      window.clearTimeout(inputTimer);
      recompute();
    });
    form.addEventListener("focusout", function () {
      window.clearTimeout(blurTimer);
      blurTimer = window.setTimeout(autosave, 400);
    });
    window.setInterval(autosave, autosaveMs);
    // A save button pressed while an autosave is on its way waits for it, so the page posts
    // the version that autosave produced instead of meeting its own conflict.
    var inflight = false;
    var pendingSubmitter = null;
    document.body.addEventListener("htmx:beforeRequest", function (evt) {
      if (evt.detail.elt && evt.detail.elt.id === "autosave") inflight = true;
    });
    document.body.addEventListener("htmx:afterRequest", function (evt) {
      if (!evt.detail.elt || evt.detail.elt.id !== "autosave") return;
      inflight = false;
      if (pendingSubmitter) {
        var submitter = pendingSubmitter;
        pendingSubmitter = null;
        window.setTimeout(function () { form.requestSubmit(submitter); }, 0);
      }
    });
    form.addEventListener("submit", function (evt) {
      window.clearTimeout(blurTimer);
      if (inflight && !conflicted) {
        evt.preventDefault();
        pendingSubmitter = evt.submitter || null;
        return;
      }
      submitting = true;
    });
    window.addEventListener("beforeunload", function (evt) {
      if (dirty && !submitting && !conflicted) {
        evt.preventDefault();
        evt.returnValue = "";
      }
    });
  }

  // ------------------------------------------------------------ money: separators on blur
  moneyInputs().forEach(function (input) {
    input.addEventListener("focus", function () {
      var t = plainNumber(input.value);
      if (t !== null) input.value = t;
    });
    input.addEventListener("blur", function () { input.value = group(input.value); });
    input.value = group(input.value);
  });

  // ------------------------------------------------------------ keyboard: move down a column
  function columnKey(input) {
    return (input.name || "").replace(/^(ind|fund)-[^-]+-/, "$1-*-");
  }
  form.addEventListener("keydown", function (evt) {
    var t = evt.target;
    if (t.tagName !== "INPUT" || t.type !== "text") return;
    var down = evt.key === "ArrowDown" || (evt.key === "Enter" && !evt.shiftKey);
    var up = evt.key === "ArrowUp" || (evt.key === "Enter" && evt.shiftKey);
    if (!down && !up) return;
    evt.preventDefault(); // Enter never submits the whole form by accident
    var key = columnKey(t);
    var column = Array.prototype.filter.call(
      form.querySelectorAll('input[type="text"]'),
      function (el) { return columnKey(el) === key && !el.disabled; }
    );
    var next = column[column.indexOf(t) + (down ? 1 : -1)];
    if (next) {
      next.focus();
      next.select();
    }
  });

  // ------------------------------------------------------------ findings link to their field
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest(".finding-link") : null;
    if (!link) return;
    var el = byId(link.dataset.focus);
    if (!el) return;
    evt.preventDefault();
    el.scrollIntoView({ block: "center" });
    if (el.focus) el.focus({ preventScroll: true });
    el.classList.add("flash");
    window.setTimeout(function () { el.classList.remove("flash"); }, 1500);
  });

  afterRefresh();
})();
