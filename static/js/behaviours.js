/* Small behaviours declared in templates with data attributes, so that no template needs
   an inline event handler (the Content-Security-Policy forbids them):
   - data-confirm="Question ?" on a <form> (on submit) or a <button>/<a> (on click):
     asks before going on;
   - data-autosubmit on a <select>: submits its form when the choice changes;
   - data-check-all="css selector" on a checkbox: checks or unchecks every match. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    }
  }, true);
  document.addEventListener("click", function (event) {
    var trigger = event.target instanceof Element ? event.target.closest("button[data-confirm], a[data-confirm]") : null;
    if (trigger && !window.confirm(trigger.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.dataset.autosubmit !== undefined && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    } else if (el instanceof HTMLInputElement && el.dataset.checkAll) {
      document.querySelectorAll(el.dataset.checkAll).forEach(function (box) {
        if (box !== el) { box.checked = el.checked; }
      });
    }
  });
})();
