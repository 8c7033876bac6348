// Bundles the real-user monitoring snippet (src/rum/snippet/, with Google's web-vitals from npm)
// into one minified IIFE, dist/rum/vantage-rum.js, plus its gzip, which src/rum/snippetAsset.ts
// serves at /rum/v1/vantage-rum.js. Run by `npm run build` and `prepare` after tsc (the snippet is
// excluded from tsc's node build: it is browser code). Uses esbuild's JS API, which finds its
// platform binary (@esbuild/<platform>) without esbuild's install script, so the Dockerfile's
// `npm ci --ignore-scripts` build stage can run it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'rum', 'vantage-rum.js');

const webVitals = JSON.parse(
  await readFile(join(ROOT, 'node_modules', 'web-vitals', 'package.json'), 'utf8'),
);

const result = await build({
  entryPoints: [join(ROOT, 'src', 'rum', 'snippet', 'index.ts')],
  bundle: true,
  format: 'iife',
  minify: true,
  // Browsers with the APIs web-vitals measures (Event Timing, LCP) run ES2020 and later.
  target: ['es2020'],
  platform: 'browser',
  legalComments: 'none',
  // web-vitals is Apache-2.0: its notice, and its version for whoever reads the served script.
  banner: {
    js: `/*! vantage-rum; includes web-vitals ${webVitals.version}, Copyright Google LLC, Apache-2.0 */`,
  },
  write: false,
  logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
await mkdir(dirname(OUT), { recursive: true });
await writeFile(OUT, code);
await writeFile(OUT + '.gz', gzipSync(code, { level: 9 }));
