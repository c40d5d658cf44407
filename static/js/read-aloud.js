// "Bacakan": reads the page aloud with the browser's own speech synthesis, in the page's language.
// Progressive enhancement: the button is `hidden` in the HTML and shown only where speech
// synthesis exists; the page is complete without it (low-literacy residents, field studies).
(function () {
  "use strict";
  if (!window.speechSynthesis || typeof window.SpeechSynthesisUtterance !== "function") {
    return;
  }
  var synth = window.speechSynthesis;
  var BLOCKS = "h1, h2, h3, p, li, legend, label, dt, dd";

  function speechLang() {
    return document.documentElement.lang === "en" ? "en-US" : "id-ID";
  }

  function voiceFor(lang) {
    var voices = synth.getVoices() || [];
    var prefix = lang.split("-")[0];
    var exact = null;
    var near = null;
    voices.forEach(function (voice) {
      var vlang = (voice.lang || "").replace("_", "-");
      if (!exact && vlang === lang) { exact = voice; }
      if (!near && vlang.split("-")[0] === prefix) { near = voice; }
    });
    return exact || near;
  }

  // The visible text of the main content, one piece per block, skipping the button itself.
  function pieces(root) {
    var out = [];
    root.querySelectorAll(BLOCKS).forEach(function (element) {
      if (element.closest("[data-read-aloud-skip], [hidden]")) { return; }
      if (element.querySelector(BLOCKS)) { return; }  // its inner blocks speak for it
      if (!element.offsetParent && element.getClientRects().length === 0) { return; }
      var text = (element.innerText || "").trim();
      if (text) { out.push(text); }
    });
    return out;
  }

  function setSpeaking(button, speaking) {
    var label = button.querySelector("span");
    label.textContent = speaking ? button.dataset.labelStop : button.dataset.labelStart;
  }

  function read(button) {
    if (synth.speaking || synth.pending) {
      synth.cancel();
      setSpeaking(button, false);
      return;
    }
    var lang = speechLang();
    var voice = voiceFor(lang);
    var parts = pieces(document.querySelector("main") || document.body);
    if (!parts.length) { return; }
    parts.forEach(function (text, index) {
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = lang;
      if (voice) { utterance.voice = voice; }
      utterance.rate = 0.9;  // a little slower: easier to follow
      if (index === parts.length - 1) {
        utterance.onend = function () { setSpeaking(button, false); };
      }
      utterance.onerror = function () { setSpeaking(button, false); };
      synth.speak(utterance);
    });
    setSpeaking(button, true);
  }

  function init() {
    document.querySelectorAll("[data-read-aloud]").forEach(function (button) {
      button.hidden = false;
      setSpeaking(button, false);
      button.addEventListener("click", function () { read(button); });
    });
  }

  // Stop talking when the person leaves the page.
  window.addEventListener("pagehide", function () { synth.cancel(); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
