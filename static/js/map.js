/* Draws the constituency map whose figure sits in a <script type="application/json"> beside it:
   <div id="..." data-map="<id of the json_script>">. No inline script (a strict CSP holds).
   The view is fitted to the figure's "fit" box (west, south, east, north) for the map's size;
   a click on a constituency opens the page in its customdata (its member's, or the seat's).
   The base map is blank ("white-bg"): no tile, font or sprite is fetched from anywhere. */
(function () {
  "use strict";
  var TILE = 512;  // MapLibre's world size at zoom 0, in pixels
  var PAD = 12;
  var narrow = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
  var language = (document.documentElement.lang || "en").slice(0, 2);
  var LOCALES = {
    hi: {
      dictionary: {
        "Zoom in": "बड़ा करें",
        "Zoom out": "छोटा करें",
        "Reset view": "दृश्य फिर से सेट करें",
        "Download plot as a png": "नक्शा PNG में डाउनलोड करें"
      },
      format: {}
    }
  };

  function mercatorY(lat) {
    var s = Math.sin(lat * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  function latitudeOf(y) {
    return Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180 / Math.PI;
  }

  // The centre and zoom that show the box whole in a width × height map.
  function fitted(box, width, height) {
    var top = mercatorY(box[3]), bottom = mercatorY(box[1]);
    var dx = Math.max((box[2] - box[0]) / 360, 1e-6), dy = Math.max(bottom - top, 1e-6);
    var zoom = Math.min(
      Math.log2(Math.max(width - 2 * PAD, 50) / (TILE * dx)),
      Math.log2(Math.max(height - 2 * PAD, 50) / (TILE * dy)),
      12
    );
    return {center: {lon: (box[0] + box[2]) / 2, lat: latitudeOf((top + bottom) / 2)}, zoom: zoom};
  }

  // The page of the seat drawn under a mouse event ("" for none), or undefined when MapLibre cannot say.
  function seatAt(target, event, urls) {
    try {
      var map = target._fullLayout.map._subplot.map;
      var rect = map.getCanvas().getBoundingClientRect();
      var layers = map.getStyle().layers.filter(function (layer) { return layer.type === "fill"; })
        .map(function (layer) { return layer.id; });
      var found = map.queryRenderedFeatures([event.clientX - rect.left, event.clientY - rect.top], {layers: layers});
      return found.length ? (urls[String(found[0].id)] || "") : "";
    } catch (error) {
      return undefined;
    }
  }

  function draw(target) {
    var source = document.getElementById(target.dataset.map);
    if (!source || typeof Plotly === "undefined") { return; }
    var figure = JSON.parse(source.textContent);
    if (!figure) { return; }
    var layout = figure.layout;
    if (figure.fit) {
      // As tall as the place is for this width (a wide state leaves no empty band on a phone), within bounds.
      var box = figure.fit, width = target.clientWidth;
      var aspect = (mercatorY(box[1]) - mercatorY(box[3])) / Math.max((box[2] - box[0]) / 360, 1e-6);
      target.style.height = Math.round(Math.min(Math.max(width * aspect + 2 * PAD, 280), narrow ? 520 : 600)) + "px";
      var view = fitted(figure.fit, target.clientWidth, target.clientHeight);
      layout.map.center = view.center;
      layout.map.zoom = view.zoom;
    }
    // On a phone a one-finger drag scrolls the page, not the map (taps still open a seat).
    if (narrow) { layout.dragmode = false; }
    var config = {
      responsive: true,
      displaylogo: false,
      scrollZoom: false,
      displayModeBar: narrow ? false : "hover"
    };
    if (LOCALES[language]) {
      config.locale = language;
      config.locales = {};
      config.locales[language] = LOCALES[language];
    }
    Plotly.newPlot(target, figure.data, layout, config).then(function () {
      target.dataset.drawn = "1";
    });
    var urls = {};
    figure.data.forEach(function (trace) {
      (trace.locations || []).forEach(function (location, index) { urls[String(location)] = trace.customdata[index]; });
    });
    target.on("plotly_click", function (event) {
      // plotly reports the last hovered seat, which a quick click (or a tap) can leave behind: the seat
      // under the pointer is asked of MapLibre itself, and plotly's point is used only when that fails.
      var url = seatAt(target, event && event.event, urls);
      if (url === undefined) {
        var point = event && event.points && event.points[0];
        url = point && point.customdata;
      }
      if (url && url.charAt(0) === "/") { window.location.assign(url); }
    });
  }

  document.querySelectorAll("[data-map]").forEach(draw);
})();
