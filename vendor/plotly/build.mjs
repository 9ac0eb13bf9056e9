// Builds the dashboard's partial plotly.js, in two files:
// - plotly-dashboard.min.js: plotly.js with only the trace types the dashboard draws, without MapLibre;
// - plotly-maplibre.min.js: MapLibre and its worker (1.1 MB of the 3.1 MB raw), fetched by the first
//   bundle only when a figure with a map trace is drawn (vendor/plotly/lazy-maplibre.js), so pages
//   without a map never download it.
// Usage (offline after the two installs; see vendor/plotly/README.md):
//   node vendor/plotly/build.mjs <unpacked plotly.js package dir> <dir with esbuild + plugins in node_modules>
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [plotlyDir, toolsDir] = process.argv.slice(2).map((p) => path.resolve(p));
const requireTool = createRequire(path.join(toolsDir, 'package.json'));
const esbuild = requireTool('esbuild');
const { environmentPlugin } = requireTool('esbuild-plugin-environment');
const { glsl } = requireTool('esbuild-plugin-glsl');
const InlineCSSPlugin = requireTool('esbuild-plugin-inline-css');

// The trace types of layouts/figures and layouts/*.py (tests/dashboard/test_http_cache.py checks
// that every type the figure builders use is listed here). scatter comes with the core.
export const TRACES = ['bar', 'heatmap', 'scattermap', 'choroplethmap'];
// The trace types that need MapLibre (vendor/plotly/lazy-maplibre.js has the same list).
export const MAP_TRACES = ['scattermap', 'choroplethmap'];

const here = path.dirname(new URL(import.meta.url).pathname);
const version = JSON.parse(fs.readFileSync(path.join(plotlyDir, 'package.json'))).version;
const MAPLIBRE = "require('maplibre-gl/dist/maplibre-gl.mjs')";
const WORKER = "require('../../../build/maplibre_worker')";
const WORKER_USE = 'new Blob([maplibreWorkerSource]';

// plotly.js's map subplot requires MapLibre and its worker source at the top of one file; in the main
// bundle both are read from the lazily loaded one instead, when they are used (once a map is created,
// which lazy-maplibre.js makes wait for the load).
const mapWithoutMaplibre = {
  name: 'map-without-maplibre',
  setup(build) {
    build.onLoad({ filter: /src[\\/]plots[\\/]map[\\/]map\.js$/ }, (args) => {
      let source = fs.readFileSync(args.path, 'utf8');
      for (const needle of [MAPLIBRE, WORKER, WORKER_USE]) {
        if (!source.includes(needle)) throw new Error(`${args.path}: "${needle}" not found; plotly.js changed, update build.mjs`);
      }
      const lazy = `require(${JSON.stringify(path.join(here, 'lazy-maplibre.js'))})`;
      source = source
        .replace(MAPLIBRE, `${lazy}.maplibregl`)
        .replace(WORKER, 'null')
        .replace(WORKER_USE, `new Blob([${lazy}.workerSource()]`);
      return { contents: source, loader: 'js' };
    });
  },
};

const common = {
  absWorkingDir: plotlyDir,
  format: 'iife',
  bundle: true,
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  alias: { regl: '@plotly/regl' },
  define: { global: 'window', 'define.amd': 'false' },
  target: 'es2016',
  logLevel: 'info',
  nodePaths: [path.join(plotlyDir, 'node_modules')],
};

const entry = path.join(plotlyDir, 'lib', 'index-dashboard.js');
fs.writeFileSync(entry, [
  "'use strict';",
  "var Plotly = require('./core');",
  `Plotly.register([${TRACES.map((t) => `require('./${t}')`).join(', ')}]);`,
  `require(${JSON.stringify(path.join(here, 'lazy-maplibre.js'))}).waitForMaps(Plotly);`,
  'module.exports = Plotly;',
  '',
].join('\n'));
const outfile = path.join(here, 'plotly-dashboard.min.js');
await esbuild.build({
  ...common,
  entryPoints: [entry],
  outfile,
  globalName: 'Plotly',
  banner: { js: `/** plotly.js v${version} (MIT, vendor/plotly/LICENSE) partial bundle: scatter, ${TRACES.join(', ')}; MapLibre loaded on demand from plotly-maplibre.min.js */` },
  plugins: [mapWithoutMaplibre, InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
});

const mapEntry = path.join(plotlyDir, 'lib', 'index-dashboard-maplibre.js');
fs.writeFileSync(mapEntry, [
  "'use strict';",
  `window.__dashboardMaplibre = { maplibregl: ${MAPLIBRE}, workerSource: require('../build/maplibre_worker') };`,
  '',
].join('\n'));
const mapOutfile = path.join(here, 'plotly-maplibre.min.js');
await esbuild.build({
  ...common,
  entryPoints: [mapEntry],
  outfile: mapOutfile,
  banner: { js: `/** MapLibre GL JS (BSD-3-Clause, vendor/plotly/LICENSE-maplibre) as plotly.js v${version} bundles it, with its worker */` },
  plugins: [environmentPlugin({ NODE_DEBUG: false })],
});
for (const file of [outfile, mapOutfile]) console.log(`${file}: ${fs.statSync(file).size} bytes`);
