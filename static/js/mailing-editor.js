/* Mailing composer: a small rich-text editor over the body textarea, and the audience
   selects shown only for the chosen kind. Without JavaScript the textarea (HTML) and all
   selects stay usable; the server sanitises whatever is sent. */
(function () {
  "use strict";
  document.querySelectorAll("[data-rte]").forEach(function (root) {
    var source = root.querySelector(".rte-source");
    var area = root.querySelector(".rte-area");
    var toolbar = root.querySelector(".rte-toolbar");
    // New lines become paragraphs (not <div>s, which the server would drop), bold <b>.
    document.execCommand("defaultParagraphSeparator", false, "p");
    document.execCommand("styleWithCSS", false, false);
    area.innerHTML = source.value || "<p><br></p>";
    area.hidden = false;
    toolbar.hidden = false;
    source.hidden = true;
    var label = document.querySelector('label[for="' + source.id + '"]');
    if (label) {
      label.addEventListener("click", function () { area.focus(); });
    }
    var sync = function () { source.value = area.innerHTML; };
    area.addEventListener("input", sync);
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("[data-cmd]");
      if (!button) { return; }
      var cmd = button.dataset.cmd;
      var arg = button.dataset.arg || null;
      if (cmd === "createLink") {
        arg = window.prompt("Adresse du lien (https://…)", "https://");
        if (!arg || arg === "https://") { return; }
      }
      area.focus();
      document.execCommand(cmd, false, arg);
      sync();
    });
    root.closest("form").addEventListener("submit", sync);
  });

  var form = document.getElementById("mailing-form");
  if (!form) { return; }
  var showTargets = function () {
    var checked = form.querySelector('input[name="audience_kind"]:checked');
    form.querySelectorAll("[data-target-for]").forEach(function (box) {
      box.hidden = !checked || box.dataset.targetFor !== checked.value;
    });
  };
  form.addEventListener("change", showTargets);
  showTargets();
})();
