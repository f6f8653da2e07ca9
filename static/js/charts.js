/* Draws every chart whose data sits in a <script type="application/json"> beside it:
   <div id="..." data-chart="<id of the json_script>">. No inline script, so a
   strict Content-Security-Policy holds. Charts follow their container's width. */
(function () {
  "use strict";
  var narrow = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
  function draw(target) {
    var source = document.getElementById(target.dataset.chart);
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    if (!figure) { return; }
    Plotly.newPlot(target, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      // The tool bar covers the lines on a phone and needs a mouse anyway.
      displayModeBar: narrow ? false : "hover"
    });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
