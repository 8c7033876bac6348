/**
 * vantage_maintenance_active: 1 per target while a maintenance window covers it, else 0. Alert
 * rules drop a target's alerts with `unless on(target) vantage_maintenance_active == 1`.
 *
 * Evaluated at scrape time (a scrape just after a window opens must already say 1), but
 * cheaply: which windows are active is computed once per scrape, and the rendered body is
 * reused for as long as that set is unchanged. One instance per config load, so the cache is
 * keyed by (config generation, active windows) without a generation counter.
 */
import type { VantageConfig } from '../config/schema.js';
import { activeFlags, compileWindow, type MaintenanceWindow } from '../scheduler/maintenanceCalendar.js';
import { familyHeader, renderLabelPairs, sampleLine } from './exposition.js';

export const maintenanceActive = {
  name: 'vantage_maintenance_active',
  help:
    'Whether a maintenance window from the config covers the target now: 1 in maintenance ' +
    '(alerts for the target are suppressed; probes still run), 0 otherwise.',
  type: 'gauge',
};

interface TargetRow {
  name: string;
  /** `{target="x",team="web"}`, rendered once per config load. */
  labels: string;
  /** Indices into `windows` of the windows naming this target (global ones are separate). */
  windows: number[];
}

export class MaintenanceSeries {
  readonly windows: readonly MaintenanceWindow[];
  private readonly rows: TargetRow[];
  private readonly globalWindows: number[];
  private readonly byTarget: ReadonlyMap<string, number[]>;
  private cache: { key: string; body: Buffer } | undefined;

  constructor(config: VantageConfig) {
    this.windows = config.maintenance_windows.map(compileWindow);
    this.globalWindows = [];
    // target -> windows naming it, built from the windows' lists: one pass, even when a window
    // names thousands of targets.
    const named = new Map<string, number[]>();
    this.windows.forEach((w, i) => {
      if (w.targets.length === 0) this.globalWindows.push(i);
      for (const target of new Set(w.targets)) named.set(target, [...(named.get(target) ?? []), i]);
    });
    this.byTarget = named;
    this.rows = config.targets.map((t) => ({
      name: t.name,
      // Same label set and order as vantage_target_slo_objective, so the two join on the labels.
      labels: `{${renderLabelPairs([['target', t.name], ...Object.entries(t.labels)])}}`,
      windows: named.get(t.name) ?? [],
    }));
  }

  /** The windows that cover a target, global ones included, in config order. */
  windowsFor(target: string): MaintenanceWindow[] {
    const indices = [...this.globalWindows, ...(this.byTarget.get(target) ?? [])].sort((a, b) => a - b);
    return indices.map((i) => this.windows[i]!);
  }

  /** The exposition at `nowMs`; the same Buffer while the set of active windows is unchanged. */
  render(nowMs: number): Buffer {
    if (this.rows.length === 0) return Buffer.alloc(0);
    const active = activeFlags(this.windows, nowMs);
    const key = active.map((on) => (on ? '1' : '0')).join('');
    if (this.cache?.key !== key) this.cache = { key, body: this.renderFor(active) };
    return this.cache.body;
  }

  private renderFor(active: readonly boolean[]): Buffer {
    const everywhere = this.globalWindows.some((i) => active[i]);
    let out = familyHeader(maintenanceActive);
    for (const row of this.rows) {
      const on = everywhere || row.windows.some((i) => active[i]);
      out += sampleLine(maintenanceActive.name, row.labels, on ? 1 : 0);
    }
    return Buffer.from(out, 'utf8');
  }
}
