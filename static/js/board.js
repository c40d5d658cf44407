// The call board (issue 12): a chime and a spoken call in Bahasa for each new call, once sound
// is switched on (browsers allow audio only after a touch), and "menyambungkan ulang" while the
// server does not answer — htmx keeps the last board on screen and keeps asking.
(function () {
  "use strict";
  var board = document.getElementById("board");
  var offline = document.getElementById("board-offline");
  var soundButton = document.getElementById("board-sound");
  if (!board) { return; }
  var soundOn = false;
  var audio = null;
  var seen = null;

  function latestCall() {
    var item = board.querySelector("[data-call]");
    return item ? item : null;
  }
  function chime() {
    if (!audio) { return; }
    [660, 880].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.2, audio.currentTime + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.35 + 0.3);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + i * 0.35);
      osc.stop(audio.currentTime + i * 0.35 + 0.32);
    });
  }
  function speak(item) {
    if (!window.speechSynthesis || typeof window.SpeechSynthesisUtterance !== "function") { return; }
    var number = item.getAttribute("data-number").split("-");
    var text = "Nomor " + number[0] + ", " + String(Number(number[1])) + ", silakan ke " +
      item.getAttribute("data-counter");
    var said = new window.SpeechSynthesisUtterance(text);
    said.lang = "id-ID";
    window.setTimeout(function () { window.speechSynthesis.speak(said); }, 800);
  }
  function announce() {
    var item = latestCall();
    var key = item ? item.getAttribute("data-call") : null;
    if (key && key !== seen && seen !== null && soundOn) { chime(); speak(item); }
    seen = key || "";
  }
  announce();
  board.addEventListener("htmx:afterSwap", announce);
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    board.addEventListener(name, function () { offline.hidden = false; });
  });
  board.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) { offline.hidden = true; }
  });
  if (soundButton) {
    soundButton.hidden = false;
    soundButton.addEventListener("click", function () {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context && !audio) { audio = new Context(); }
      soundOn = true;
      soundButton.textContent = soundButton.getAttribute("data-on");
      soundButton.setAttribute("aria-pressed", "true");
    });
  }
}());
