import type { Dashboard } from '../model.js';
import { capacity } from './capacity.js';
import { fieldDashboard } from './field.js';
import { journeys } from './journeys.js';
import { overview } from './overview.js';
import { service } from './service.js';
import { slo } from './slo.js';
import { target } from './target.js';
import { trends } from './trends.js';
import { webVitals } from './webVitals.js';

/** Every dashboard, in the order the docs present them. */
export const dashboards: readonly Dashboard[] = [
  overview,
  target,
  journeys,
  webVitals,
  fieldDashboard,
  slo,
  trends,
  capacity,
  service,
];
