// The kiosk (issue 12): the idle countdown that forgets the person, the on-screen number pad,
// and printing the ticket. The kiosk runs chromium with JavaScript; every control is a real
// button or link, so the keyboard works too.
(function () {
  "use strict";
  var dialog = document.getElementById("kiosk-idle");
  // The start screen: whatever the last person left in this tab's storage goes.
  if (dialog && dialog.hasAttribute("data-idle-off")) { window.sessionStorage.clear(); }

  // After `data-idle-seconds` without a touch, a visible countdown offers to continue; at zero
  // the kiosk goes to its reset URL (which clears the session) without leaving history behind.
  if (dialog && !dialog.hasAttribute("data-idle-off")) {
    var idleMs = Number(dialog.getAttribute("data-idle-seconds")) * 1000;
    var countFrom = Number(dialog.getAttribute("data-countdown-seconds"));
    var count = document.getElementById("kiosk-idle-count");
    var cont = document.getElementById("kiosk-idle-continue");
    var idleTimer = null;
    var tick = null;
    var left = countFrom;

    var forget = function () {
      window.location.replace(dialog.getAttribute("data-reset-url"));
    };
    var ask = function () {
      left = countFrom;
      count.textContent = String(left);
      dialog.hidden = false;
      cont.focus();
      tick = window.setInterval(function () {
        left -= 1;
        count.textContent = String(left);
        if (left <= 0) { window.clearInterval(tick); forget(); }
      }, 1000);
    };
    var touched = function () {
      if (!dialog.hidden) { return; }
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(ask, idleMs);
    };
    cont.addEventListener("click", function () {
      window.clearInterval(tick);
      dialog.hidden = true;
      touched();
    });
    ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
      document.addEventListener(name, touched, { passive: true, capture: true });
    });
    touched();
  }

  // "Selesai" / "Batal" go to the reset URL without leaving this page in the history.
  if (dialog) {
    var reset = dialog.getAttribute("data-reset-url");
    document.querySelectorAll("a[href='" + reset + "']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        window.location.replace(reset);
      });
    });
  }

  // The on-screen number pad types into its field.
  document.querySelectorAll("[data-pad-for]").forEach(function (pad) {
    var input = document.getElementById(pad.getAttribute("data-pad-for"));
    if (!input) { return; }
    pad.hidden = false;
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) { return; }
      var value = key.getAttribute("data-key");
      if (value === "back") { input.value = input.value.slice(0, -1); }
      else if (value === "clear") { input.value = ""; }
      else if (input.value.replace(/\D/g, "").length < 16) { input.value += value; }
      input.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // The ticket prints itself once; "Cetak ulang" prints it again.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  if (document.querySelector("[data-auto-print]") && !window.sessionStorage.getItem("printed:" + location.pathname)) {
    window.sessionStorage.setItem("printed:" + location.pathname, "1");
    window.setTimeout(function () { window.print(); }, 300);
  }
}());
