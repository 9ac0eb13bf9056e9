// Builds vendor/plotly/plotly-dashboard.min.js: plotly.js with only the trace types the dashboard draws.
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

// The trace types of layouts/figures and layouts/*.py (tests/dashboard/test_plotly_bundle.py checks
// that every type the figure builders use is listed here). scatter comes with the core.
export const TRACES = ['bar', 'heatmap', 'scattermap', 'choroplethmap'];

const version = JSON.parse(fs.readFileSync(path.join(plotlyDir, 'package.json'))).version;
const entry = path.join(plotlyDir, 'lib', 'index-dashboard.js');
fs.writeFileSync(entry, [
  "'use strict';",
  "var Plotly = require('./core');",
  `Plotly.register([${TRACES.map((t) => `require('./${t}')`).join(', ')}]);`,
  'module.exports = Plotly;',
  '',
].join('\n'));

const outfile = path.resolve(path.dirname(new URL(import.meta.url).pathname), 'plotly-dashboard.min.js');
await esbuild.build({
  entryPoints: [entry],
  absWorkingDir: plotlyDir,
  outfile,
  format: 'iife',
  globalName: 'Plotly',
  bundle: true,
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  banner: { js: `/** plotly.js v${version} (MIT, vendor/plotly/LICENSE) partial bundle: scatter, ${TRACES.join(', ')} */` },
  plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: '@plotly/regl' },
  define: { global: 'window', 'define.amd': 'false' },
  target: 'es2016',
  logLevel: 'info',
});
console.log(`${outfile}: ${fs.statSync(outfile).size} bytes`);
