/**
 * The store of a vantage process: the database under --storage.path and the logs kept in it
 * (change log, incident log and its outages, load tests, report archive).
 * `vantage serve` opens one at start and closes it on stop; the `vantage change` commands
 * open one for the duration of the command.
 */
import { ChangeLog } from './changes.js';
import { openDatabase, type Db } from './database.js';
import { IncidentLog } from './incidents.js';
import { LoadTestLog } from './loadTests.js';
import { OutageLog } from './outages.js';
import { ReportArchive } from './reports.js';

/** How often a running vantage looks for changes another process (the CLI) wrote. */
export const WATCH_INTERVAL_MS = 2000;

export class Store {
  readonly changes: ChangeLog;
  readonly incidents: IncidentLog;
  /** Outages as vantage's probes saw them, which incidents carry beside the alert's times. */
  readonly outages: OutageLog;
  /** Performance reports made by vantage (not the Lighthouse reports, which live on disk). */
  readonly reportArchive: ReportArchive;
  /** Load tests run by `vantage load`, each with its change log entry. */
  readonly loadTests: LoadTestLog;
  private watchTimer: NodeJS.Timeout | undefined;

  private constructor(readonly db: Db) {
    this.changes = new ChangeLog(db);
    this.outages = new OutageLog(db);
    this.incidents = new IncidentLog(db, this.outages);
    this.reportArchive = new ReportArchive(db);
    this.loadTests = new LoadTestLog(db, this.changes);
  }

  static open(storagePath: string): Store {
    return new Store(openDatabase(storagePath));
  }

  /** Pick up other processes' writes every `intervalMs` (for the change metric's cache). */
  watch(onError: (err: unknown) => void, intervalMs = WATCH_INTERVAL_MS): void {
    if (this.watchTimer) return;
    this.watchTimer = setInterval(() => {
      try {
        // Any commit of another process (a change, a load test with its change) bumps the
        // data version the change log checks.
        if (this.changes.refreshIfChanged()) this.loadTests.refresh();
      } catch (err) {
        onError(err);
      }
    }, intervalMs);
    this.watchTimer.unref();
  }

  close(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = undefined;
    if (this.db.open) this.db.close();
  }
}
