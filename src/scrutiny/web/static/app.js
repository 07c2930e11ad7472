// scrutiny web workbench: keyboard shortcuts. No inline scripts anywhere (the CSP forbids
// them); this file and htmx are the only scripts, both served by the workbench itself.
// An element with data-key="a" is clicked (or focused, for inputs) when that key is
// pressed outside a text field; "?" lists the shortcuts of the page.
(function () {
  "use strict";
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "Escape" && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (typing(document.activeElement)) return;
    var key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
    var target = null;
    document.querySelectorAll("[data-key]").forEach(function (el) {
      if (!target && el.getAttribute("data-key") === key && !el.disabled) target = el;
    });
    if (!target) return;
    ev.preventDefault();
    if (typing(target)) target.focus();
    else target.click();
  });
})();
