/* Small page behaviours, loaded on every page (no inline script or style: the CSP forbids them).
   Party dots take their colour from data-colour (a #rrggbb the database checks). */
(function () {
  "use strict";
  var hex = /^#[0-9A-Fa-f]{6}$/;
  document.querySelectorAll(".party-dot[data-colour]").forEach(function (dot) {
    if (hex.test(dot.dataset.colour)) { dot.style.setProperty("--party", dot.dataset.colour); }
  });
  // Share bars: the fill and the target and stretch lines, as percentages of the bar's width.
  var number = /^\d{1,3}(\.\d+)?$/;
  document.querySelectorAll(".share-bar").forEach(function (bar) {
    ["fill", "target", "stretch"].forEach(function (name) {
      var value = bar.dataset[name];
      if (number.test(value)) { bar.style.setProperty("--" + name, value + "%"); }
    });
  });
})();

/* The district list offers only the chosen division's districts (each option carries data-division);
   a district left over from another division is cleared. Without script every district stays listed
   and the server refuses a district outside the chosen division, naming both. */
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    var division = form.querySelector("select[name=division]");
    var district = form.querySelector("select[name=district]");
    if (!division || !district) { return; }
    function narrow() {
      Array.prototype.forEach.call(district.options, function (option) {
        var elsewhere = Boolean(division.value && option.value && option.dataset.division !== division.value);
        option.hidden = elsewhere;
        option.disabled = elsewhere;
        if (elsewhere && option.selected) { district.value = ""; }
      });
    }
    division.addEventListener("change", narrow);
    narrow();
  });
})();
