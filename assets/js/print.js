/* Before printing: fill the print header (place, period, time in Lao time) and redraw every chart at the
   printed page's width, so that nothing is cut off on the right; after printing: back to the screen width. */
(function () {
  var PRINT_WIDTH = 680;  // px: A4 (210 mm) less 12 mm margins at 96 px per inch, with room for card borders

  function text(id) {
    var node = document.getElementById(id);
    return node ? node.innerText.trim() : "";
  }

  function fillHeader() {
    var header = document.getElementById("shell-print-header");
    if (!header) { return; }
    var district = text("shell-district-value");
    var province = text("shell-province-value");
    var allDistricts = header.getAttribute("data-all-districts");
    if (province === header.getAttribute("data-all-provinces")) { province = header.getAttribute("data-national"); }
    var place = district && district !== allDistricts ? district + ", " + province : province;
    var now = new Intl.DateTimeFormat(header.getAttribute("data-locale") || "en-GB", {
      timeZone: "Asia/Vientiane", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"
    }).format(new Date());
    var line = header.querySelector(".print-line");
    line.textContent = [place, text("shell-period-value"), header.getAttribute("data-printed") + " " + now + " "
      + header.getAttribute("data-lao-time")].filter(Boolean).join(" · ");
  }

  function plots() { return Array.prototype.slice.call(document.querySelectorAll(".js-plotly-plot")); }

  function fitCharts() {
    fillHeader();
    if (!window.Plotly) { return; }
    plots().forEach(function (gd) {
      if (!gd._fullLayout || gd._fullLayout.width <= PRINT_WIDTH) { return; }
      gd.setAttribute("data-screen-autosize", gd.layout.autosize === false ? "0" : "1");
      window.Plotly.relayout(gd, {width: PRINT_WIDTH});
    });
  }

  function restoreCharts() {
    if (!window.Plotly) { return; }
    plots().forEach(function (gd) {
      if (!gd.hasAttribute("data-screen-autosize")) { return; }
      gd.removeAttribute("data-screen-autosize");
      window.Plotly.relayout(gd, {width: null, autosize: true});
    });
  }

  window.addEventListener("beforeprint", fitCharts);
  window.addEventListener("afterprint", restoreCharts);
  if (window.matchMedia) {
    var media = window.matchMedia("print");
    var listener = function (event) { if (event.matches) { fitCharts(); } else { restoreCharts(); } };
    if (media.addEventListener) { media.addEventListener("change", listener); } else if (media.addListener) { media.addListener(listener); }
  }
})();
