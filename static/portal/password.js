/* Password creation page (templates/accounts/password_set.html): the three ways of the
   parents' guide, all filling the same two fields the server re-validates.
   1. "Je le saisis": live checklist as you type (8 characters, lower, upper, special,
      digit, both entries identical), announced through an aria-live status.
   2. "Générer un mot de passe": 16 random characters from crypto.getRandomValues (no
      modulo bias), at least one of each class, with "Copier" and "Regénérer".
   3. "À partir d'une phrase": initials, digits and punctuation kept; the initial of the
      last word is capitalised. Mirrors tenant_apps/accounts/passphrase.py.
   Without JavaScript the page is the plain two-field form. No inline script (CSP). */
(function () {
  "use strict";

  var LETTER = /\p{L}/u;
  var DIGIT = /\p{Nd}/u;
  var KEPT_SIGN = /[\p{P}\p{S}]/u;
  var SEPARATORS = /[\s'\u2019]+/u;
  var SPECIALS = "!#$%&*+-=?@_";
  var CLASSES = [
    "ABCDEFGHJKLMNPQRSTUVWXYZ", // no I, O: easy to copy by hand
    "abcdefghijkmnopqrstuvwxyz", // no l
    "23456789", // no 0, 1
    SPECIALS
  ];
  var GENERATED_LENGTH = 16;

  function fromSentence(sentence) {
    var tokens = (sentence || "").normalize("NFC").split(SEPARATORS);
    var out = [];
    var lastInitial = -1;
    tokens.forEach(function (token) {
      if (!token) { return; }
      var chars = Array.from(token);
      var hasDigit = chars.some(function (c) { return DIGIT.test(c); });
      var initialTaken = false;
      chars.forEach(function (c) {
        if (DIGIT.test(c) || KEPT_SIGN.test(c)) {
          out.push(c);
        } else if (LETTER.test(c) && !hasDigit && !initialTaken) {
          initialTaken = true;
          lastInitial = out.length;
          out.push(c);
        }
      });
    });
    if (lastInitial >= 0) { out[lastInitial] = out[lastInitial].toUpperCase(); }
    return out.join("");
  }

  function randomBelow(n) {
    // Rejection sampling: every value below n is equally likely.
    var limit = Math.floor(0x100000000 / n) * n;
    var buffer = new Uint32Array(1);
    do { window.crypto.getRandomValues(buffer); } while (buffer[0] >= limit);
    return buffer[0] % n;
  }

  function pick(alphabet) { return alphabet.charAt(randomBelow(alphabet.length)); }

  function generate(length) {
    length = Math.max(length || GENERATED_LENGTH, CLASSES.length);
    var all = CLASSES.join("");
    var chars = CLASSES.map(pick);
    while (chars.length < length) { chars.push(pick(all)); }
    for (var i = chars.length - 1; i > 0; i--) { // Fisher-Yates
      var j = randomBelow(i + 1);
      var t = chars[i]; chars[i] = chars[j]; chars[j] = t;
    }
    return chars.join("");
  }

  function check(password, confirmation) {
    var chars = Array.from(password || "");
    return {
      length: chars.length >= 8,
      lower: chars.some(function (c) { return c !== c.toUpperCase(); }),
      upper: chars.some(function (c) { return c !== c.toLowerCase(); }),
      special: chars.some(function (c) { return !LETTER.test(c) && !/\p{N}/u.test(c); }),
      digit: chars.some(function (c) { return DIGIT.test(c); }),
      same: chars.length > 0 && password === confirmation
    };
  }

  window.CantinePassword = { fromSentence: fromSentence, generate: generate, check: check };

  var form = document.querySelector("[data-password-form]");
  if (!form) { return; }
  var p1 = form.querySelector("#id_password1");
  var p2 = form.querySelector("#id_password2");
  var ways = form.querySelector("[data-ways]");
  var panels = form.querySelectorAll("[data-way-panel]");
  var generated = form.querySelector("#generated-password");
  var sentence = form.querySelector("#sentence");
  var sentenceResult = form.querySelector("#sentence-result");
  var status = form.querySelector("[data-rules-status]");
  var copyStatus = form.querySelector("[data-copy-status]");
  var rules = form.querySelectorAll("[data-rule]");
  var lastSummary = "";

  function currentWay() {
    var checked = form.querySelector("input[name=way]:checked");
    return checked ? checked.value : "own";
  }

  function refresh() {
    var result = check(p1.value, p2.value);
    var met = 0;
    rules.forEach(function (item) {
      var ok = !!result[item.dataset.rule];
      if (ok) { met += 1; }
      item.classList.toggle("is-met", ok);
      item.querySelector("[data-rule-state]").textContent = ok ? " : respecté" : " : à compléter";
    });
    var summary = met === rules.length
      ? "Toutes les règles sont respectées."
      : "Règles respectées : " + met + " sur " + rules.length + ".";
    // Announced only when it changes, not at every key press.
    if (summary !== lastSummary) { status.textContent = summary; lastSummary = summary; }
  }

  function fill(value) {
    p1.value = value;
    p2.value = value;
    refresh();
  }

  function regenerate() {
    generated.value = generate(GENERATED_LENGTH);
    fill(generated.value);
  }

  function showWay(way) {
    panels.forEach(function (panel) { panel.hidden = panel.dataset.wayPanel !== way; });
    if (copyStatus) { copyStatus.textContent = ""; }
    if (way === "generate") {
      if (!generated.value) { regenerate(); } else { fill(generated.value); }
    } else if (way === "sentence") {
      sentenceResult.textContent = fromSentence(sentence.value);
      fill(sentenceResult.textContent);
    } else {
      fill("");
    }
  }

  if (ways) {
    ways.hidden = false;
    ways.addEventListener("change", function () { showWay(currentWay()); });
  }
  p1.addEventListener("input", refresh);
  p2.addEventListener("input", refresh);
  sentence.addEventListener("input", function () {
    sentenceResult.textContent = fromSentence(sentence.value);
    fill(sentenceResult.textContent);
  });
  form.querySelector("[data-action=regenerate]").addEventListener("click", function () {
    regenerate();
    if (copyStatus) { copyStatus.textContent = "Nouveau mot de passe généré."; }
  });
  form.querySelector("[data-action=copy]").addEventListener("click", function () {
    var done = function () { copyStatus.textContent = "Mot de passe copié."; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(generated.value).then(done, function () {
        generated.select(); copyStatus.textContent = "Sélectionné : copiez-le avec Ctrl+C.";
      });
    } else {
      generated.select();
      copyStatus.textContent = "Sélectionné : copiez-le avec Ctrl+C.";
    }
  });
  form.querySelectorAll("[data-action=reveal]").forEach(function (button) {
    button.addEventListener("click", function () {
      var show = p1.type === "password";
      p1.type = p2.type = show ? "text" : "password";
      button.textContent = show ? "Masquer" : "Afficher";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
  });
  form.querySelectorAll("[data-js-only]").forEach(function (el) { el.hidden = false; });
  form.querySelector(".password-rules").classList.add("is-live");
  refresh();
})();
