'use strict';
// MapLibre, fetched the first time a figure with a map trace is drawn (built into
// plotly-dashboard.min.js by build.mjs; MapLibre itself is plotly-maplibre.min.js, served beside it).
// Pages without a map never download its 1.1 MB (about 300 kB compressed).

var MAP_TRACES = { scattermap: true, choroplethmap: true };
// The URL this bundle was loaded from (dcc.Graph adds it as a classic script: currentScript is set
// while the bundle runs); MapLibre's file is its sibling.
var bundleSrc = (typeof document !== 'undefined' && document.currentScript && document.currentScript.src) || '';
var loading = null;
var WAITING = 'data-maplibre-loading';

function loaded() {
    return window.__dashboardMaplibre;
}

function maplibreUrl() {
    var src = bundleSrc;
    if (!src) {
        var script = document.querySelector('script[src*="package_data/plotly.min.js"]');
        src = script ? script.src : '';
    }
    return src.replace(/plotly\.min\.js(\?.*)?$/, 'plotly-maplibre.min.js$1');
}

function load() {
    if (loaded()) return Promise.resolve();
    if (!loading) {
        loading = new Promise(function (resolve, reject) {
            var script = document.createElement('script');
            script.src = maplibreUrl();
            script.async = true;
            script.onload = function () {
                if (loaded()) resolve();
                else reject(new Error('MapLibre did not register from ' + script.src));
            };
            script.onerror = function () {
                loading = null; // the next map tries again
                reject(new Error('could not load MapLibre from ' + script.src));
            };
            document.head.appendChild(script);
        });
    }
    return loading;
}

function figureData(args) {
    var first = args[1];
    if (Array.isArray(first)) return first;
    if (first && Array.isArray(first.data)) return first.data;
    return [];
}

function needsMaplibre(args) {
    return figureData(args).some(function (trace) {
        return trace && MAP_TRACES[trace.type];
    });
}

// plotly.js's map subplot reads these only once a map is created, which waitForMaps makes wait.
exports.maplibregl = new Proxy({}, {
    get: function (target, name) {
        var lib = loaded();
        if (!lib) throw new Error('MapLibre used before it was loaded');
        return lib.maplibregl[name];
    }
});

exports.workerSource = function () {
    return loaded().workerSource;
};

// Plotly.newPlot / react / plot on a figure with a map trace first fetch MapLibre (once); calls on the
// same graph meanwhile queue behind the same load, so their order is kept.
exports.waitForMaps = function (Plotly) {
    ['newPlot', 'react', 'plot'].forEach(function (name) {
        var draw = Plotly[name];
        if (typeof draw !== 'function') return;
        Plotly[name] = function () {
            var args = arguments;
            var self = this;
            if (loaded() || !needsMaplibre(args)) return draw.apply(self, args);
            // Marked while it waits: the loading overlay (assets/css/30-loading.css) shows on it.
            var gd = typeof args[0] === 'string' ? document.getElementById(args[0]) : args[0];
            if (gd && gd.setAttribute) gd.setAttribute(WAITING, '');
            var done = function () {
                if (gd && gd.removeAttribute) gd.removeAttribute(WAITING);
            };
            return load().then(function () {
                done();
                return draw.apply(self, args);
            }, function (error) {
                done();
                throw error;
            });
        };
    });
};

// A page that shows a map (its graph has the class has-map, layouts/common.py HAS_MAP) starts fetching
// MapLibre now, alongside its callbacks, rather than once the map's figure has come.
if (typeof document !== 'undefined' && document.querySelector('.dash-graph.has-map')) {
    load().catch(function () {}); // the map's own draw tries again and reports the error
}
