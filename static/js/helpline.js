// The helpline's contact form (helpline/views.py): it takes the focus when the page opens; the
// time since it opened runs beside it, and goes into the duration field on saving unless the
// listener typed a duration.
(function () {
  "use strict";
  var form = document.querySelector(".helpline-form");
  if (!form) return;
  var output = form.querySelector("[data-timer]");
  var duration = form.querySelector("[data-duration]");
  var opened = Date.now();
  var typed = false;

  // The call has started: the form has the focus, on the channel chosen (arrow keys change it).
  var first = form.querySelector("input[name=channel]:checked") || form.querySelector("input");
  if (first && document.activeElement === document.body) first.focus();

  function minutes() { return Math.round((Date.now() - opened) / 60000); }

  duration.addEventListener("input", function () { typed = duration.value !== ""; });
  setInterval(function () {
    var seconds = Math.floor((Date.now() - opened) / 1000);
    var rest = seconds % 60;
    output.textContent = Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
    if (!typed) duration.value = minutes();
  }, 1000);
  form.addEventListener("submit", function () {
    if (!typed) duration.value = minutes();
  });
}());
