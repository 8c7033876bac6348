/**
 * GET /probe: blackbox_exporter-compatible on-demand probing, safe by default. `target` names
 * a configured target (or is the URL of one); any other URL must match
 * security.probe_url_allowlist. A module that carries credentials goes only with the targets
 * that list it (unless security.probe_credentials_any_target names it): otherwise anyone could
 * send internal_api's token to a target of their choice. Resolved addresses in metadata and
 * link-local ranges are refused by the prober after DNS and on every redirect hop; /probe turns
 * that into a 403.
 */
import type { Request, Response } from 'express';
import { moduleCredentials } from '../config/credentials.js';
import { redactSecrets, redactUrl } from '../config/redact.js';
import { renderModuleYaml } from '../config/render.js';
import type { ModuleConfig, TargetConfig, VantageConfig } from '../config/schema.js';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';
import { renderProbeResult } from '../metrics/probeExposition.js';
import { proberFor, runProbe, type ProberEntry } from '../probers/index.js';
import type { VantageService } from '../service/service.js';

/** blackbox_exporter's default: leave half a second of the scrape timeout for the scrape itself. */
const SCRAPE_TIMEOUT_OFFSET_MS = 500;

type Resolved = {
  url: string;
  targetName?: string;
  /** The configured target's slo.latency in seconds (a journey step's default objective). */
  latencyObjectiveSeconds?: number;
  moduleName: string;
  module: ModuleConfig;
};
type Refusal = { status: number; reason?: 'not_allowlisted' | 'module_credentials'; message: string };

function resolveRequest(
  service: VantageService,
  target: string,
  moduleParam: string | undefined,
): Resolved | Refusal {
  const config = service.config;
  const configured =
    config.targets.find((t) => t.name === target) ?? config.targets.find((t) => t.url === target);
  let moduleName = moduleParam;
  if (moduleName === undefined || moduleName === '') {
    if (configured && configured.modules.length === 1) moduleName = configured.modules[0]!;
    else if (!configured && Object.hasOwn(config.modules, 'http_2xx')) moduleName = 'http_2xx';
    else {
      return {
        status: 400,
        message: configured
          ? `module parameter is required: target "${configured.name}" has modules ${configured.modules.join(', ')}`
          : 'module parameter is required',
      };
    }
  }
  // hasOwn: the name comes from the request, and `constructor` or `__proto__` must not find
  // Object.prototype's members when the modules object has a prototype (configs built in code).
  const module = Object.hasOwn(config.modules, moduleName) ? config.modules[moduleName] : undefined;
  if (!module) {
    return {
      status: 400,
      message: `unknown module "${moduleName}" (defined: ${Object.keys(config.modules).join(', ') || 'none'})`,
    };
  }
  if (configured) {
    return (
      credentialScopeRefusal(config, moduleName, module, configured) ?? {
        url: configured.url,
        targetName: configured.name,
        latencyObjectiveSeconds: configured.slo.latency / 1000,
        moduleName,
        module,
      }
    );
  }
  const prober = proberFor(module);
  if (prober.runs.kind === 'audit') {
    return {
      status: 400,
      message: `module "${moduleName}" is a ${prober.title} module: audits run on schedule for configured targets only`,
    };
  }

  // A raw URL: only when the operator allowlisted it. Bare host:port gets http://, as in blackbox.
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `http://${target}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    return {
      status: 400,
      message: `target is neither a configured target name nor an http(s) URL: "${target}"`,
    };
  }
  const allowed = service.probeUrlAllowlist.some((re) => re.test(url));
  if (!allowed) {
    return {
      status: 403,
      reason: 'not_allowlisted',
      message: `forbidden: "${target}" is not a configured target and does not match security.probe_url_allowlist`,
    };
  }
  return credentialScopeRefusal(config, moduleName, module, undefined) ?? { url, moduleName, module };
}

/** A credential-carrying module asked for with a target that does not list it, or undefined. */
function credentialScopeRefusal(
  config: VantageConfig,
  moduleName: string,
  module: ModuleConfig,
  configured: TargetConfig | undefined,
): Refusal | undefined {
  if (configured?.modules.includes(moduleName)) return undefined;
  if (config.security.probe_credentials_any_target?.includes(moduleName)) return undefined;
  const credentials = moduleCredentials(module);
  if (credentials.length === 0) return undefined;
  const owners = config.targets.filter((t) => t.modules.includes(moduleName)).map((t) => t.name);
  return {
    status: 403,
    reason: 'module_credentials',
    message:
      `forbidden: module "${moduleName}" carries credentials (${credentials.join(', ')}) and is only ` +
      `used with ${owners.length > 0 ? `target${owners.length > 1 ? 's' : ''} ${owners.join(', ')}` : 'no target'}; ` +
      'list it in security.probe_credentials_any_target to allow it with any target',
  };
}

/**
 * The time a /probe may take: Prometheus' scrape timeout header when sent, else
 * global.scrape_timeout, minus the offset; the module timeout still applies when shorter.
 */
function scrapeTimeoutMs(req: Request, configured: number | undefined): number | undefined {
  const header = Number(req.get('x-prometheus-scrape-timeout-seconds'));
  const scrapeMs = Number.isFinite(header) && header > 0 ? header * 1000 : configured;
  if (scrapeMs === undefined) return undefined;
  return Math.max(scrapeMs - SCRAPE_TIMEOUT_OFFSET_MS, 100);
}

export function probeHandler(service: VantageService) {
  return async (req: Request, res: Response): Promise<void> => {
    const health = service.health;
    const target = typeof req.query.target === 'string' ? req.query.target : '';
    const moduleParam = typeof req.query.module === 'string' ? req.query.module : undefined;
    const debug = req.query.debug === 'true';
    if (target === '') {
      health.probeRequests.inc({ result: 'bad_request' });
      res.status(400).type('text').send('target parameter is missing\n');
      return;
    }
    const resolved = resolveRequest(service, target, moduleParam);
    if ('status' in resolved) {
      if (resolved.reason) {
        health.probeRefusals.inc({ reason: resolved.reason });
        health.probeRequests.inc({ result: 'refused' });
      } else {
        health.probeRequests.inc({ result: 'bad_request' });
      }
      res
        .status(resolved.status)
        .type('text')
        .send(redactUrl(resolved.message) + '\n');
      return;
    }

    const prober = proberFor(resolved.module);
    if (prober.runs.kind === 'audit') {
      latestAudit(service, prober, resolved.targetName!, resolved.moduleName, res, debug);
      return;
    }

    // Abort the probe if the client (Prometheus) gives up on the request.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client closed the request'));
    });
    const config = service.config;
    const module = resolved.module;
    const result = await runProbe(resolved.url, module, {
      signal: abort.signal,
      timeoutMs: scrapeTimeoutMs(req, config.global.scrape_timeout),
      allowedNetworks: config.security.allowed_networks,
      dnsServers: config.global.dns_servers,
      latencyObjectiveSeconds: resolved.latencyObjectiveSeconds,
    });

    if (result.failure?.reason === 'forbidden_address') {
      health.probeRefusals.inc({ reason: 'forbidden_address' });
      health.probeRequests.inc({ result: 'refused' });
      res
        .status(403)
        .type('text')
        .send(`forbidden: ${redactUrl(result.failure.message)}\n`);
      return;
    }
    health.probeRequests.inc({ result: result.success ? 'success' : 'failure' });
    if (debug) {
      res
        .type('text')
        .send(
          `Probe of ${resolved.targetName ? `target "${resolved.targetName}" (${redactUrl(resolved.url)})` : redactUrl(resolved.url)} with module "${resolved.moduleName}"\n\n` +
            prober.formatTrace(result) +
            '\n\nMetrics that would have been returned:\n' +
            renderProbeResult(result, { probeSeries: prober.probeSeries }) +
            '\nModule configuration:\n' +
            renderModuleYaml(redactSecrets(resolved.module)),
        );
      return;
    }
    res
      .set('Content-Type', EXPOSITION_CONTENT_TYPE)
      .send(renderProbeResult(result, { probeSeries: prober.probeSeries }));
  };
}

/**
 * /probe for an audit module (Lighthouse): the latest audit batch, never a new one (an audit
 * takes a minute and a Chrome; a scrape must not start one). Its
 * lighthouse_last_run_timestamp_seconds says how old it is. With debug=true, its outcome as the
 * prober words it (a browser flow's steps and failure) before the metrics.
 */
function latestAudit(
  service: VantageService,
  prober: ProberEntry,
  target: string,
  moduleName: string,
  res: Response,
  debug: boolean,
): void {
  const latest = service.results.latest(`${target}/${moduleName}`);
  if (!latest) {
    service.health.probeRequests.inc({ result: 'failure' });
    res
      .status(503)
      .type('text')
      .send(
        `no ${prober.title} audit of target "${target}" with module "${moduleName}" has finished yet ` +
          `(${service.audits.length} audits waiting in the queue); audits run on their schedule, not on request\n`,
      );
    return;
  }
  service.health.probeRequests.inc({ result: latest.success ? 'success' : 'failure' });
  const metrics = renderProbeResult(latest, { probeSeries: prober.probeSeries });
  if (debug) {
    res
      .type('text')
      .send(
        `Latest ${prober.title} of target "${target}" with module "${moduleName}" ` +
          `(started ${new Date(latest.startedAtMs).toISOString()}; scheduled runs only)\n\n` +
          prober.formatTrace(latest) +
          '\n\nMetrics:\n' +
          metrics,
      );
    return;
  }
  res.set('Content-Type', EXPOSITION_CONTENT_TYPE).send(metrics);
}
