// A button that prints the page (the week grid): CSP allows no inline handler.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
