/**
 * undici's Client class, loaded alone. `import { Client } from 'undici'` loads all of undici
 * (fetch, WebSocket, caches, mocks: 110 modules) where a probe needs one connection client
 * (19 modules). Every thread that probes loads it, each probe worker included: the full package
 * took 20.9 MB of RSS per thread, the client alone 12.0 MB (measured with Node 20, undici 7.30).
 * undici has no `exports` map, so the file is reachable; its types are the package's own.
 */
import { createRequire } from 'node:module';
import type { Client as UndiciClient } from 'undici';

const require = createRequire(import.meta.url);

export const Client = require('undici/lib/dispatcher/client.js') as typeof UndiciClient;
export type Client = UndiciClient;
