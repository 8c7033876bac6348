/**
 * GET /: every check with its latest result, failure reason and phase timings, each linked to
 * its debug probe. Plain server-rendered HTML, no scripts, so it works behind any proxy.
 */
import { redactUrl, urlWithoutUserinfo } from '../config/redact.js';
import { windowStatus, type MaintenanceWindow, type WindowStatus } from '../scheduler/maintenanceCalendar.js';
import { formatLocal } from '../time/zone.js';
import {
  formatCount,
  formatDuration,
  formatRatio,
  formatSeconds,
  formatUnitless,
  plural,
} from '../format/index.js';
import { FIELD_VITALS } from '../rum/vitals.js';
import { bucketPercentile } from '../report/percentiles.js';
import { proberFor } from '../probers/table.js';
import type { VantageService } from '../service/service.js';
import { escapeHtml } from '../html/escape.js';
import { page } from '../html/layout.js';
import { VERSION } from '../runtime/version.js';

const esc = escapeHtml;

/** "12 s ago", "3 min ago": how long since a probe started, in the report's words for a span. */
function ago(ms: number): string {
  return `${formatDuration(Math.max(0, (Date.now() - ms) / 1000))} ago`;
}

/** "in maintenance until ..." or "next: ..." for a target, from the windows that cover it. */
function maintenanceCell(
  windows: readonly MaintenanceWindow[],
  statusOf: (w: MaintenanceWindow) => WindowStatus,
): string {
  const at = (w: MaintenanceWindow, ms: number) => `${formatLocal(w.timeZone, ms)} ${w.timeZone}`;
  const active = windows.find((w) => statusOf(w).active);
  if (active) {
    const end = statusOf(active).endsAt;
    const until = end === undefined ? '' : ` until ${esc(at(active, end))}`;
    return `<span class="maint">in maintenance</span>${until} (${esc(active.name)})`;
  }
  let next: { w: MaintenanceWindow; ms: number } | undefined;
  for (const w of windows) {
    const ms = statusOf(w).startsAt;
    if (ms !== undefined && (next === undefined || ms < next.ms)) next = { w, ms };
  }
  return next ? `next: ${esc(at(next.w, next.ms))} (${esc(next.w.name)})` : '';
}

/**
 * Field data since vantage started, a line per configured site: enough to see beacons arrive
 * (the Field dashboard and the report have the rest, over time).
 */
function fieldSection(service: VantageService): string {
  const sites = service.rum.siteNames;
  if (sites.length === 0) return '';
  const summaries = service.rum.series.siteSummaries();
  const rows = sites
    .map((name) => {
      const s = summaries.get(name);
      const p75 = FIELD_VITALS.map((v) => {
        const buckets = s?.buckets[v.key];
        const value = buckets ? bucketPercentile(0.75, buckets)?.seconds : undefined;
        return `<td>${value === undefined ? '' : v.unit === 'seconds' ? formatSeconds(value) : formatUnitless(value)}</td>`;
      }).join('');
      const bounce = s && s.sessions > 0 ? formatRatio(1 - s.engagedSessions / s.sessions, 1) : '';
      return (
        `<tr><td>${esc(name)}</td><td>${formatCount(s?.pageViews ?? 0)}</td>` +
        `<td>${formatCount(s?.sessions ?? 0)}</td><td>${bounce}</td>${p75}</tr>`
      );
    })
    .join('\n');
  const heads = FIELD_VITALS.map((v) => `<th>p75 ${esc(v.key.toUpperCase())}</th>`).join('');
  return `<h2>Field data (real visitors, since start)</h2>
<p>Beacons to <code>POST /rum/v1/beacon</code> from the pages that carry the snippet (docs/field-data.md); ${formatCount(service.rum.rejectedTotal)} refused so far (<code>vantage_rum_beacons_rejected_total</code> by reason).</p>
<table><thead><tr><th>Site</th><th>Page views</th><th>Sessions</th><th>Bounce rate</th>${heads}</tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

export function renderIndexPage(service: VantageService): string {
  // Each window's status once per page, however many checks it covers.
  const now = Date.now();
  const statuses = new Map<MaintenanceWindow, WindowStatus>();
  const statusOf = (w: MaintenanceWindow) => {
    let status = statuses.get(w);
    if (!status) statuses.set(w, (status = windowStatus(w, now)));
    return status;
  };
  const rows = service
    .checks()
    .map((def) => {
      const r = service.results.latest(def.key);
      const totals = service.results.totals(def.key);
      const prober = proberFor(def.module);
      // Before the first audit there is no report to open: say so instead of linking a 404.
      const link = prober.reports
        ? r
          ? `<a href="${prober.reports.latestHref(def.target.name, def.moduleName)}">latest report</a>`
          : '<span class="pending">first audit pending</span>'
        : `<a href="${esc(`probe?target=${encodeURIComponent(def.target.name)}&module=${encodeURIComponent(def.moduleName)}&debug=true`)}">debug probe</a>`;
      const status = !r
        ? '<td class="pending">pending</td>'
        : r.success
          ? '<td class="ok">up</td>'
          : '<td class="fail">down</td>';
      const reason = r?.failure
        ? `${esc(r.failure.reason)} (${esc(r.failure.phase)}): ${esc(redactUrl(r.failure.message))}`
        : '';
      const url = esc(redactUrl(def.target.url));
      return (
        `<tr><td>${esc(def.target.name)}</td><td>${esc(def.moduleName)}</td>` +
        `<td><a href="${esc(urlWithoutUserinfo(def.target.url))}">${url}</a></td>${status}` +
        `<td>${r ? formatSeconds(r.durationSeconds) : ''}</td>` +
        `<td>${r ? esc(prober.summary(r)) : ''}</td><td>${reason}</td>` +
        `<td>${r ? ago(r.startedAtMs) : ''}</td>` +
        `<td>${totals ? `${formatCount(totals.success)} / ${formatCount(totals.failure)}` : ''}</td>` +
        `<td>${maintenanceCell(service.maintenance?.windowsFor(def.target.name) ?? [], statusOf)}</td>` +
        `<td>${link}</td></tr>`
      );
    })
    .join('\n');
  return page({
    title: 'vantage',
    heading: `vantage ${VERSION}`,
    refreshSeconds: 15,
    nav: [
      { href: 'metrics', text: 'Metrics' },
      { href: 'lighthouse/', text: 'Lighthouse reports' },
      { href: 'reports/', text: 'Performance reports' },
      { href: 'config', text: 'Configuration' },
      { href: 'runbook', text: 'Runbook' },
      { href: '-/healthy', text: 'Health' },
      { href: '-/ready', text: 'Readiness' },
    ],
    body: `<p>Configuration: ${esc(service.configSource)}. ${plural(service.checks().length, 'check')}.</p>
<table><thead><tr><th>Target</th><th>Module</th><th>URL</th><th>Status</th><th>Duration</th><th>Phases / scores</th><th>Failure reason</th><th>Last probe</th><th>Successes / failures</th><th>Maintenance</th><th></th></tr></thead>
<tbody>
${rows}
</tbody></table>
${fieldSection(service)}`,
  });
}
