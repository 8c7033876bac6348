/** Runs the CLI from the TypeScript sources (`node --import tsx test/helpers/cliEntry.ts ...`), no build needed. */
import { main } from '../../src/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
