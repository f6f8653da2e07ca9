/* Draws every chart whose data sits in a <script type="application/json"> beside it:
   <div id="..." data-chart="<id of the json_script>">. No inline script, so a
   strict Content-Security-Policy holds. Charts follow their container's width.
   In Hindi (<html lang="hi">) dates on the axes and in hover read in Hindi; numbers come
   from the server already in Indian grouping (plotly's d3-format knows no lakh). */
(function () {
  "use strict";
  var narrow = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
  var months = ["जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"];
  var LOCALES = {
    hi: {
      dictionary: {
        "Autoscale": "स्वतः पैमाना",
        "Reset axes": "अक्ष फिर से सेट करें",
        "Zoom in": "बड़ा करें",
        "Zoom out": "छोटा करें",
        "Download plot as a png": "चार्ट PNG में डाउनलोड करें",
        "Double-click to zoom back out": "वापस छोटा करने के लिए डबल-क्लिक करें"
      },
      format: {
        days: ["रविवार", "सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार"],
        shortDays: ["रवि", "सोम", "मंगल", "बुध", "गुरु", "शुक्र", "शनि"],
        months: months,
        shortMonths: ["जन॰", "फ़र॰", "मार्च", "अप्रैल", "मई", "जून", "जुल॰", "अग॰", "सित॰", "अक्तू॰", "नव॰", "दिस॰"],
        date: "%d/%m/%Y"
      }
    }
  };
  var language = (document.documentElement.lang || "en").slice(0, 2);
  function draw(target) {
    var source = document.getElementById(target.dataset.chart);
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    if (!figure) { return; }
    var config = {
      responsive: true,
      displaylogo: false,
      // The tool bar covers the lines on a phone and needs a mouse anyway.
      displayModeBar: narrow ? false : "hover"
    };
    if (LOCALES[language]) {
      config.locale = language;
      config.locales = {};
      config.locales[language] = LOCALES[language];
    }
    Plotly.newPlot(target, figure.data, figure.layout, config);
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
