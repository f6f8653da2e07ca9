/* Draws every chart whose data sits in a <script type="application/json"> beside it.
   No inline script, so a strict Content-Security-Policy holds. */
(function () {
  "use strict";
  function draw(targetId, dataId) {
    var target = document.getElementById(targetId);
    var source = document.getElementById(dataId);
    if (!target || !source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(target, figure.data, figure.layout, {responsive: true, displaylogo: false});
  }
  document.querySelectorAll("[data-chart]").forEach(function (el) { draw(el.id, el.dataset.chart); });
  draw("history-chart", "history-data");
})();
