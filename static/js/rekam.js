// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function focusErrorSummary(root) {
    var summary = (root || document).querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrorSummary(document); });
  // After htmx swaps a fragment in, move focus to what needs attention.
  // A swapped-in region the person asked for (the new day's times when rescheduling) may be off
  // screen: without this nothing seems to happen. Its heading takes focus and is scrolled to.
  function focusSwapped(root) {
    if (!root || !root.querySelector) { return false; }
    var region = root.matches && root.matches("[data-focus-after-swap]") ? root
      : root.querySelector("[data-focus-after-swap]");
    if (!region) { return false; }
    var heading = region.querySelector("h2, h1") || region;
    if (!heading.hasAttribute("tabindex")) { heading.setAttribute("tabindex", "-1"); }
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: "start" });
    return true;
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id && !document.body.contains(target)) {
      target = document.getElementById(target.id);  // an outerHTML swap replaced the element
    }
    if (!focusSwapped(target)) {
      focusErrorSummary(target);
    }
  });
})();
