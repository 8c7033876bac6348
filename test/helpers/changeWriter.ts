/**
 * A second process writing to the change log, as `vantage change add` does: opens the store
 * under argv[2] and adds argv[3] changes titled `${argv[4]} N`, printing each id once its
 * transaction has committed (the crash test kills it mid-way and checks every printed id).
 */
import { Store } from '../../src/store/store.js';

const [storagePath, countText, prefix] = process.argv.slice(2) as [string, string, string];
const store = Store.open(storagePath);
for (let i = 0; i < Number(countText); i++) {
  const change = store.changes.add({
    title: `${prefix} ${i}`,
    kind: 'other',
    target: null,
    description: null,
  });
  process.stdout.write(`${change.id}\n`);
}
store.close();
