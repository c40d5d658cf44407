// Officer scanner (progressive enhancement of /officer/scan; the form works without it).
// Reads the QR with the camera or a photo (vendored zxing-wasm), verifies the receipt's JWS in
// the browser with WebCrypto Ed25519 against the key set kept on this device, and — when the
// network is up — asks the server for the current status. Each answer says where it came from.
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) { return; }
  var t = function (name) { return root.getAttribute("data-t-" + name) || ""; };
  var JWKS_KEY = "rekam.scan.jwks";
  var CACHE = "rekam-scan-v1";
  var ZONES = { "+07:00": ["Asia/Jakarta", "WIB"], "+08:00": ["Asia/Makassar", "WITA"],
                "+09:00": ["Asia/Jayapura", "WIT"] };
  var names = {};
  try { names = JSON.parse(root.dataset.names || "{}"); } catch (e) { names = {}; }
  var nameOf = function (group, code) { return (names[group] || {})[code] || code; };
  var form = document.getElementById("scan-form");
  var input = document.getElementById("code");
  var localBox = document.getElementById("scan-local");
  var serverBox = document.getElementById("scan-server");
  var networkNote = document.getElementById("scan-network");

  // navigator.onLine alone is not trusted: whether the key set could be fetched decides.
  function showNetwork(online) { networkNote.textContent = online ? t("online") : t("offline"); }

  // --- key set kept on the device ------------------------------------------------------------
  function storedKeys() {
    try { return JSON.parse(localStorage.getItem(JWKS_KEY) || "null"); } catch (e) { return null; }
  }
  function refreshKeys() {
    return fetch(root.dataset.jwksUrl, { cache: "no-cache", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("jwks " + r.status); }
        showNetwork(!r.headers.get("X-Rekam-Offline"));  // set by scan-sw.js from its cache
        return r.json();
      })
      .then(function (set) { localStorage.setItem(JWKS_KEY, JSON.stringify(set)); return set; })
      .catch(function () { showNetwork(false); return storedKeys(); });
  }
  var keysReady = refreshKeys();

  // --- the page, decoder and key set, for use without a network -------------------------------
  function keepForOffline() {
    if (!("caches" in window)) { return Promise.resolve(); }
    var urls = [location.pathname, root.dataset.jwksUrl, root.dataset.wasmUrl,
                root.dataset.nobleUrl, root.dataset.iconOk, root.dataset.iconWarn,
                root.dataset.iconBad];
    document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon], img[src]")
      .forEach(function (el) {
        var url = el.getAttribute("src") || el.getAttribute("href");
        if (url && url.charAt(0) === "/" && url.indexOf("//") !== 0) { urls.push(url); }
      });
    return caches.open(CACHE).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return cache.add(url).catch(function () { return null; });
      }));
    });
  }
  var offlineReady = Promise.resolve();
  if ("serviceWorker" in navigator) {
    offlineReady = navigator.serviceWorker.register(root.dataset.workerUrl, { scope: "/officer/" })
      .then(function () { return keepForOffline(); })
      .catch(function () { return null; });
  }
  window.rekamScanReady = Promise.all([keysReady, offlineReady]);  // for tests and the impatient

  window.addEventListener("online", function () { showNetwork(true); });
  window.addEventListener("offline", function () { showNetwork(false); });

  // --- JWS verification --------------------------------------------------------------------
  function b64urlBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function b64urlJson(text) { return JSON.parse(new TextDecoder().decode(b64urlBytes(text))); }

  function ed25519Verify(x, signature, data) {
    var subtle = window.crypto && window.crypto.subtle;
    var viaNoble = function () {
      return import(root.dataset.nobleUrl).then(function (ed) {
        return ed.verifyAsync(signature, data, b64urlBytes(x));
      });
    };
    if (!subtle) { return viaNoble(); }
    return subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: x }, { name: "Ed25519" },
                            false, ["verify"])
      .then(function (key) { return subtle.verify({ name: "Ed25519" }, key, signature, data); })
      .catch(function (error) {
        // Browsers without Ed25519 in WebCrypto: the vendored pure-JS verifier.
        if (error && error.name === "NotSupportedError") { return viaNoble(); }
        return false;
      });
  }

  function tokenFrom(text) {
    var value = text.trim();
    var at = value.lastIndexOf("/v/");
    if (at >= 0) {
      value = value.slice(at + 3).split(/[?#]/)[0].replace(/\/(document|document-80mm|receipt)$/, "");
      try { value = decodeURIComponent(value); } catch (e) { return null; }
    }
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value) ? value : null;
  }

  // {genuine, reason, claims}: reason is bad-signature, unknown-key or not-token when not genuine.
  function verifyLocally(token) {
    var parts = token.split(".");
    var header, claims;
    try { header = b64urlJson(parts[0]); claims = b64urlJson(parts[1]); } catch (e) {
      return Promise.resolve({ genuine: false, reason: "not-token" });
    }
    if (!header || header.alg !== "EdDSA" || typeof header.kid !== "string") {
      return Promise.resolve({ genuine: false, reason: "not-token" });
    }
    return keysReady.then(function (set) {
      var keys = (set && set.keys) || [];
      var jwk = keys.filter(function (k) { return k.kid === header.kid; })[0];
      if (!jwk) { return { genuine: false, reason: "unknown-key" }; }
      var data = new TextEncoder().encode(parts[0] + "." + parts[1]);
      return ed25519Verify(jwk.x, b64urlBytes(parts[2]), data).then(function (ok) {
        return ok && claims && claims.v === 1 ? { genuine: true, claims: claims }
                                              : { genuine: false, reason: "bad-signature" };
      });
    }).catch(function () { return { genuine: false, reason: "bad-signature" }; });
  }

  // --- showing an answer -------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }
  function when(iso) {
    var offset = iso.slice(-6);
    var zone = ZONES[offset] || ["UTC", offset];
    var formatted = new Intl.DateTimeFormat(root.dataset.lang === "en" ? "en-GB" : "id-ID", {
      weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit",
      minute: "2-digit", timeZone: zone[0] }).format(new Date(iso));
    return formatted + " " + zone[1];
  }
  function showLocal(outcome) {
    localBox.textContent = "";
    localBox.appendChild(el("p", "source-label", t("local-source")));
    var expired = outcome.genuine && outcome.claims.exp * 1000 <= Date.now();
    var tone = !outcome.genuine ? "bad" : (expired ? "warn" : "ok");
    var box = el("div", "verdict verdict-" + tone);
    var icon = el("img");
    icon.src = root.dataset["icon" + tone.charAt(0).toUpperCase() + tone.slice(1)];
    icon.alt = "";
    icon.width = 72;
    icon.height = 72;
    box.appendChild(icon);
    var body = el("div");
    var heading = el("h2", "verdict-heading");
    heading.appendChild(el("span", "verdict-word",
      !outcome.genuine ? t("not-genuine") : (expired ? t("no-longer-valid") : t("genuine"))));
    if (outcome.genuine) {
      var c = outcome.claims;
      var code = String(c.b).slice(0, 4) + "-" + String(c.b).slice(4);
      heading.appendChild(document.createTextNode(" "));
      heading.appendChild(el("span", "verdict-kind",
        (c.d === "recording" ? t("kind-recording") : t("kind-booking")) + " " + code));
    }
    body.appendChild(heading);
    var reason = outcome.genuine ? (expired ? t("expired") + " " : "") + t("local-note")
                                 : t(outcome.reason);
    body.appendChild(el("p", "verdict-reason", reason));
    box.appendChild(body);
    localBox.appendChild(box);
    if (outcome.genuine) {
      var c2 = outcome.claims;
      var list = el("dl", "facts-list");
      [["code", String(c2.b).slice(0, 4) + "-" + String(c2.b).slice(4)], ["name", c2.n],
       ["nik", "\u2022".repeat(12) + c2.k], ["service", nameOf("services", c2.t)],
       ["office", nameOf("offices", c2.o)],
       ["schedule", when(c2.s)], ["valid-until", new Date(c2.exp * 1000).toLocaleDateString(
         root.dataset.lang === "en" ? "en-GB" : "id-ID")]].forEach(function (row) {
        var pair = el("div");
        pair.appendChild(el("dt", "", t(row[0])));
        pair.appendChild(el("dd", "", String(row[1])));
        list.appendChild(pair);
      });
      localBox.appendChild(list);
    }
  }
  function askServer(text, whenUnreachable) {
    var body = new FormData(form);
    body.set("code", text);
    serverBox.textContent = t("asking");
    return fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                                headers: { "HX-Request": "true" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("status " + r.status); }
        return r.text();
      })
      .then(function (html) { serverBox.innerHTML = html; })  // our own escaped fragment
      .catch(function () {
        showNetwork(false);
        serverBox.textContent = whenUnreachable || t("unreachable");
      });
  }

  function handle(text) {
    var token = tokenFrom(text);
    localBox.textContent = "";
    if (token) {
      return verifyLocally(token).then(function (outcome) {
        showLocal(outcome);
        return askServer(text);
      });
    }
    return askServer(text, t("code-needs-network"));
  }
  window.rekamScanHandle = handle;

  form.addEventListener("submit", function (event) {
    if (!input.value.trim()) { return; }  // the server explains what is missing
    event.preventDefault();
    handle(input.value).then(function () { input.select(); });
  });

  // --- reading QR codes --------------------------------------------------------------------
  var cameraSection = document.getElementById("scan-camera");
  var toggle = document.getElementById("scan-camera-toggle");
  var video = document.getElementById("scan-video");
  var fileInput = document.getElementById("scan-file");
  var status = document.getElementById("scan-camera-status");
  var decoder = window.ZXingWASM;
  if (!decoder) { return; }
  cameraSection.hidden = false;
  decoder.prepareZXingModule({
    overrides: { locateFile: function (path, prefix) {
      return path.slice(-5) === ".wasm" ? root.dataset.wasmUrl : prefix + path;
    } }
  });
  var OPTIONS = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 };
  function firstText(results) {
    var hit = (results || []).filter(function (r) { return r.isValid && r.text; })[0];
    return hit ? hit.text : null;
  }
  function found(text) {
    input.value = text;
    return handle(text);
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) { return; }
    decoder.readBarcodes(file, OPTIONS).then(function (results) {
      var text = firstText(results);
      if (text) { status.textContent = ""; found(text); } else { status.textContent = t("no-qr"); }
    }).catch(function () { status.textContent = t("decoder-failed"); });
  });

  var stream = null;
  var canvas = document.createElement("canvas");
  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    toggle.textContent = t("camera-start");
  }
  function scanFrame() {
    if (!stream) { return; }
    if (video.readyState < 2 || !video.videoWidth) { setTimeout(scanFrame, 200); return; }
    var scale = Math.min(1, 960 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var frame = context.getImageData(0, 0, canvas.width, canvas.height);
    decoder.readBarcodes(frame, OPTIONS).then(function (results) {
      var text = firstText(results);
      if (text) { stopCamera(); status.textContent = ""; found(text); } else { setTimeout(scanFrame, 150); }
    }).catch(function () { stopCamera(); status.textContent = t("decoder-failed"); });
  }
  toggle.addEventListener("click", function () {
    if (stream) { stopCamera(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = t("camera-failed");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        toggle.textContent = t("camera-off");
        status.textContent = t("camera-on");
        return video.play();
      })
      .then(scanFrame)
      .catch(function () { stopCamera(); status.textContent = t("camera-failed"); });
  });
})();
