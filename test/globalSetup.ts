// Tests that spawn `bin/vantage.js` need dist/ to match src/: build it once per run, with the
// RUM snippet's bundle (dist/rum/vantage-rum.js), as `npm run build` does.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
  execFileSync(process.execPath, ['scripts/build-rum-snippet.mjs'], { stdio: 'inherit' });
}
