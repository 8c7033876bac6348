/**
 * When a check runs and how long one run may take: the two figures that must not overlap. The
 * scheduler and the config warning read them here, so the warning judges the interval that
 * actually applies (a Lighthouse batch runs on `lighthouse.interval`, a browser flow on
 * `browser.interval`, not the target's).
 */
import type { ModuleConfig, TargetConfig, VantageConfig } from './schema.js';

/** The interval (ms) the check of `module` on `target` runs on. */
export function checkIntervalMs(config: VantageConfig, target: TargetConfig, module: ModuleConfig): number {
  if (module.prober === 'lighthouse') return module.lighthouse.interval;
  if (module.prober === 'browser') return module.browser.interval;
  return target.interval ?? config.global.interval;
}

/**
 * The longest one scheduled run of `module` may take (ms). A Lighthouse `timeout` bounds each run
 * of the batch, and the runs are sequential, so a batch may take runs x timeout.
 */
export function longestRunMs(module: ModuleConfig): number {
  return module.prober === 'lighthouse' ? module.lighthouse.runs * module.timeout : module.timeout;
}
