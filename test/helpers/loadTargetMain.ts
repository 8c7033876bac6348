/**
 * A load target (loadTarget.ts) in a process of its own: `node --import tsx loadTargetMain.ts N`
 * prints its URL on stdout and serves until killed. A knee test at 1,000 requests/s needs the
 * server on the other core: in the test's own process it shares one event loop with the load
 * generator, and their combined work, not the server's capacity, would set the knee.
 */
import { startLoadTarget } from './loadTarget.js';

const capacity = Number(process.argv[2]);
const target = await startLoadTarget({ capacity });
process.stdout.write(`${target.url}\n`);
process.on('SIGTERM', () => void target.close().then(() => process.exit(0)));
