/* The back office search box (templates/backoffice/_search.html): "/" focuses it, arrows walk
   the suggestions, Escape or a click elsewhere closes them. */
(function () {
  "use strict";
document.addEventListener("keydown", function (e) {
  var box = document.getElementById("bo-search-q");
  if (!box) return;
  var tag = (e.target.tagName || "").toLowerCase();
  var typing = tag === "input" || tag === "textarea" || tag === "select" || e.target.isContentEditable;
  if (e.key === "/" && !typing) { e.preventDefault(); box.focus(); box.select(); return; }
  var results = document.getElementById("bo-search-results");
  var links = results ? Array.prototype.slice.call(results.querySelectorAll("a")) : [];
  if (e.key === "Escape" && results && results.contains(document.activeElement) || (e.key === "Escape" && e.target === box)) {
    results.innerHTML = ""; box.focus(); return;
  }
  if ((e.key === "ArrowDown" || e.key === "ArrowUp") && links.length && (e.target === box || results.contains(e.target))) {
    e.preventDefault();
    var i = links.indexOf(document.activeElement);
    i = e.key === "ArrowDown" ? Math.min(i + 1, links.length - 1) : i - 1;
    if (i < 0) { box.focus(); } else { links[i].focus(); }
  }
});
document.addEventListener("click", function (e) {
  var form = document.querySelector(".bo-search");
  var results = document.getElementById("bo-search-results");
  if (form && results && !form.contains(e.target)) { results.innerHTML = ""; }
});
})();
