/* AG Grid fetched by the first table a page shows (dashboard/ag_grid_on_demand.py): until then this
   stands in for the dash_ag_grid namespace. Its AgGrid renders a placeholder with the grid's own
   size and the loading overlay (assets/css/30-loading.css), loads the bundle once, then renders the
   real AgGrid with the same props. The namespace stays this object (a changed component type would
   make React mount the grid again), with the bundle's other exports copied onto it. */
(function () {
  var meta = document.querySelector('meta[name="dash-ag-grid-src"]');
  if (window.dash_ag_grid || !meta || !window.React) { return; }
  var React = window.React;
  var real = null;
  var loading = null;
  var shim = {};

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = meta.getAttribute("content");
        script.async = true;
        script.onload = function () {
          var bundle = window.dash_ag_grid;
          window.dash_ag_grid = shim;
          if (!bundle || bundle === shim || !bundle.AgGrid) {
            loading = null;
            reject(new Error("AG Grid did not register from " + script.src));
            return;
          }
          Object.keys(bundle).forEach(function (name) {
            if (name !== "AgGrid") { shim[name] = bundle[name]; }
          });
          real = bundle.AgGrid;
          shim.BundledAgGrid = real;
          resolve(real);
        };
        script.onerror = function () {
          loading = null; // the next grid tries again
          reject(new Error("could not load AG Grid from " + script.src));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function AgGrid(props) {
    // An initialiser function: useState(real) would call the component itself as one.
    var state = React.useState(function () { return real; });
    var component = state[0];
    var setComponent = state[1];
    React.useEffect(function () {
      if (component) { return undefined; }
      var mounted = true;
      load().then(function (loaded) {
        if (mounted) { setComponent(function () { return loaded; }); }
      }, function (error) {
        console.error(error.message);
      });
      return function () { mounted = false; };
    }, []);
    if (component) { return React.createElement(component, props); }
    return React.createElement("div", {
      id: props.id,
      className: props.className,
      style: props.style,
      "data-ag-grid-loading": ""
    });
  }
  // What the renderer reads from the component before the bundle is there (the same as dash-ag-grid
  // 35's AgGrid; tests/browser/test_light_client.py compares them once it is loaded).
  AgGrid.dashRenderType = true;
  AgGrid.dashPersistence = {persisted_props: ["selectedRows"], persistence_type: "local"};
  shim.AgGrid = AgGrid;
  window.dash_ag_grid = shim;
})();
