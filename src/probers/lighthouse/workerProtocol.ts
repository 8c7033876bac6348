/**
 * What vantage and its Lighthouse worker say to each other over the IPC channel. Kept free of imports
 * from 'lighthouse' so vantage itself never loads Lighthouse (hundreds of modules, ~100 MB of heap).
 *
 * The big payloads (the LHR JSON, 0.3-3 MB, and the HTML report) travel as files in the run's out dir,
 * not as IPC messages: vantage reads them only for the run it publishes.
 */
import type { LighthouseModule } from '../../config/schema.js';

/** The subset of Lighthouse's `Flags` vantage sets, as plain JSON (the worker adds nothing but `port`). */
export interface LighthouseRunFlags {
  output: ['html', 'json'];
  logLevel: 'error';
  hostname: string;
  onlyCategories: string[];
  formFactor: 'mobile' | 'desktop';
  throttlingMethod: 'simulate' | 'devtools' | 'provided';
  /** Merged into the preset's throttling by Lighthouse (a deep merge), so only the override is sent. */
  throttling?: { cpuSlowdownMultiplier: number };
  extraHeaders?: Record<string, string>;
  locale: string;
  blockedUrlPatterns?: string[];
}

export interface WorkerJob {
  type: 'run';
  url: string;
  port: number;
  /** 'desktop' loads Lighthouse's own desktop preset (lighthouse/core/config/desktop-config.js). */
  preset: 'mobile' | 'desktop';
  flags: LighthouseRunFlags;
  /** Where the worker writes lhr.json and report.html. */
  outDir: string;
  /** Chrome's process group: the worker kills it if vantage dies (the IPC channel closes) mid-run. */
  chromePgid: number;
}

export interface WorkerResult {
  type: 'result';
  lhrPath: string;
  htmlPath: string;
}

export interface WorkerFailure {
  type: 'error';
  /** LighthouseError code (e.g. PROTOCOL_TIMEOUT, TARGET_CRASHED), when Lighthouse threw one. */
  code?: string;
  message: string;
}

export type WorkerMessage = WorkerResult | WorkerFailure;

/** Lighthouse flags for a module: one place, so the worker and the tests agree on them. */
export function lighthouseFlags(module: LighthouseModule): LighthouseRunFlags {
  const lh = module.lighthouse;
  const flags: LighthouseRunFlags = {
    output: ['html', 'json'],
    logLevel: 'error',
    // Chrome listens on 127.0.0.1 only; "localhost" may resolve to ::1 first and be refused.
    hostname: '127.0.0.1',
    onlyCategories: [...lh.categories],
    formFactor: lh.form_factor,
    throttlingMethod: lh.throttling_method,
    locale: lh.locale,
  };
  if (lh.cpu_slowdown_multiplier !== undefined) {
    flags.throttling = { cpuSlowdownMultiplier: lh.cpu_slowdown_multiplier };
  }
  if (Object.keys(lh.headers).length > 0) flags.extraHeaders = { ...lh.headers };
  if (lh.blocked_url_patterns.length > 0) flags.blockedUrlPatterns = [...lh.blocked_url_patterns];
  return flags;
}
