/* Maps are framed on the server for a map about 760 px wide (layouts/figures/maps.py map_view); on a
   phone the same zoom shows only the middle of the country. A map whose layout.meta.fit gives the
   bounds and the server's zoom is zoomed out here until the bounds fit the width it was drawn at.
   Only while it still has the server's zoom: once a person zooms or pans, the map is theirs. */
(function () {
  var TILE = 512;

  function fittedZoom(bounds, width, height) {
    var spanLon = Math.max(bounds[2] - bounds[0], 0.02);
    var y = function (lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)); };
    var spanY = Math.max(y(bounds[3]) - y(bounds[1]), 0.0004);
    var zoomLon = Math.log2(width * 360 / (TILE * spanLon));
    var zoomLat = Math.log2(height * 2 * Math.PI / (TILE * spanY));
    return Math.min(Math.max(Math.min(zoomLon, zoomLat) - 0.1, 2), 13);
  }

  function fit(gd) {
    var layout = gd.layout, full = gd._fullLayout;
    var wanted = layout && layout.meta && layout.meta.fit;
    if (!wanted || !full || !full.map || !full._size || !window.Plotly) { return; }
    var zoom = full.map.zoom;
    if (Math.abs(zoom - wanted.zoom) > 1e-6) { return; }  // fitted already, or moved by the person
    var domain = full.map.domain || {x: [0, 1], y: [0, 1]};
    var width = full._size.w * (domain.x[1] - domain.x[0]);
    var height = full._size.h * (domain.y[1] - domain.y[0]);
    var target = fittedZoom(wanted.bounds, width, height);
    if (target < zoom - 0.05) { window.Plotly.relayout(gd, {"map.zoom": target}); }
  }

  function fitAll() {
    var plots = document.querySelectorAll(".js-plotly-plot");
    for (var i = 0; i < plots.length; i++) { fit(plots[i]); }
  }

  // Figures arrive and are replaced by callbacks at any time; a scan is cheaper than hooking each one.
  window.setInterval(fitAll, 500);
})();
