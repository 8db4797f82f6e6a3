// The idle-session warning (accounts.sessions, docs/security.md): shown before the server
// logs an idle session out; "Stay logged in" is itself the activity that keeps it. Each page
// load or htmx request restarts the count, as it does on the server.
(function () {
  "use strict";
  var form = document.getElementById("session-warning");
  if (!form) return;
  var idle = Number(form.dataset.idleSeconds) * 1000;
  var warning = Number(form.dataset.warningSeconds) * 1000;
  var warnTimer, endTimer;

  function start() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    form.hidden = true;
    warnTimer = setTimeout(function () {
      form.hidden = false;
      form.querySelector("button").focus();
    }, Math.max(idle - warning, 0));
    // Past the limit the server has ended the session: reloading shows the login page and why.
    endTimer = setTimeout(function () { window.location.reload(); }, idle + 1000);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 204) start(); else window.location.reload();
      })
      .catch(function () { window.location.reload(); });
  });
  document.body.addEventListener("htmx:afterRequest", start);
  start();
})();
