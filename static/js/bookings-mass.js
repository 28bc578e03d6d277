/* Réserver en masse, step 3: ticking "Personnaliser par enfant" starts each child's row of
   weekdays from the common weekdays (rows nobody touched yet); CSS shows the rows
   (static/css/bookings.css, no script needed for that). */
(function () {
  "use strict";
  function init() {
    var toggle = document.getElementById("id_per_child");
    if (!toggle) { return; }
    var boxes = document.querySelectorAll("#per-child-rows input[type=checkbox]");
    var touched = {};
    boxes.forEach(function (box) {
      box.addEventListener("change", function () { touched[box.name] = true; });
    });
    toggle.addEventListener("change", function () {
      if (!toggle.checked) { return; }
      var common = {};
      document.querySelectorAll("input[name=weekdays]:checked").forEach(function (b) {
        common[b.value] = true;
      });
      boxes.forEach(function (box) {
        if (!touched[box.name]) { box.checked = !!common[box.value]; }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else { init(); }
})();
