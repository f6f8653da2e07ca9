/* Small page behaviours, loaded on every page (no inline script or style: the CSP forbids them).
   Party dots take their colour from data-colour (a #rrggbb the database checks). */
(function () {
  "use strict";
  var hex = /^#[0-9A-Fa-f]{6}$/;
  document.querySelectorAll(".party-dot[data-colour]").forEach(function (dot) {
    if (hex.test(dot.dataset.colour)) { dot.style.setProperty("--party", dot.dataset.colour); }
  });
})();
