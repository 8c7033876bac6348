/**
 * The HTTP prober: blackbox_exporter's http probe (same options, same metric names, same phase
 * semantics) with one failure reason per failed probe and a readable trace. One function, one
 * signature (prober contract in ../types.ts); it never throws and returns by the deadline.
 *
 * Roles: connector.ts (resolve, address guard, TCP, TLS, timed), exchange.ts (one request over a
 * fresh connection), body.ts (decompression and limits), checks.ts (assertions), redirects.ts
 * (hop to hop), result.ts (samples), trace.ts (debug output), classify.ts (errors -> reasons).
 */
import type { HttpModuleConfig } from '../../config/schema.js';
import type { HttpPhase, ProbeContext, ProbeFailure, ProbeResult } from '../types.js';
import { bodyLimit } from './body.js';
import { checkBody, checkResponseHead, compileChecks, NO_CHECKS, type CompiledChecks } from './checks.js';
import { classifyError } from './classify.js';
import { ProbeError } from './errors.js';
import { exchange, type BodyPolicy, type HopResponse } from './exchange.js';
import { Hop, hopTarget } from './hop.js';
import { ProbeCookies } from './cookies.js';
import { hopHeaders, redirectedRequest, redirectLocation, SecretScope } from './redirects.js';
import { describeHeaders, prepareRequest, type PreparedRequest } from './request.js';
import { buildResult, type ProbeState } from './result.js';
import { ProbeRun } from './run.js';
import { secureContextFor } from './tls.js';
import { formatMs } from './trace.js';

export { FORBIDDEN_NETWORKS, isForbiddenAddress, type ForbiddenNetwork } from './addressGuard.js';
export { classifyError } from './classify.js';
export { httpFamilies } from './families.js';
export { formatTrace } from './trace.js';
export { ProbeCookies } from './cookies.js';
export { ProbeError } from './errors.js';
export {
  describeHeaders,
  readSecret,
  USER_AGENT,
  userinfoAuthorization,
  type PreparedRequest,
} from './request.js';
export type { HopResponse } from './exchange.js';

export interface HttpProbeOptions {
  /** CIDRs/IPs exempted from the forbidden ranges (config security.allowed_networks). */
  allowedNetworks: readonly string[];
  /** If set ("127.0.0.1:5353"), resolve with these servers instead of the system resolver. */
  dnsServers?: readonly string[];
}

/**
 * What a journey step changes in a probe: its own request instead of the module's, a cookie jar
 * that lives across steps, and the final body kept for extraction. A plain probe passes none.
 */
export interface ExchangeIo {
  prepared?: PreparedRequest;
  /** Sent on every hop; every response's Set-Cookie is stored in it, the final one's included. */
  jar?: ProbeCookies;
  /** Keep the final body in memory (capped at 10 MiB, as for the body regexps). */
  keepBody?: boolean;
}

/** A probe's result and what the caller may read of its final response. */
export interface ExchangeOutcome {
  result: ProbeResult;
  /** The last response received, with its body when kept; undefined when none came. */
  final: HopResponse | undefined;
  /** The URL of the last hop. */
  finalUrl: URL | undefined;
}

const noop = (): void => undefined;

function fail(run: ProbeRun, state: ProbeState, failure: ProbeFailure): void {
  if (state.failure !== undefined) return; // the first failure is the reason; later ones are consequences
  state.failure = failure;
  if (failure.reason === 'body_regex' || failure.reason === 'header_regex') state.failedDueToRegex = true;
  const lead = `${failure.reason} in ${failure.phase}`;
  run.trace.add(
    `failed: ${failure.message.startsWith(lead) ? failure.message : `${lead}: ${failure.message}`}`,
  );
}

function failWith(run: ProbeRun, state: ProbeState, err: unknown, phase: HttpPhase): void {
  const { reason, message } = classifyError(err, phase);
  fail(run, state, { reason, phase: err instanceof ProbeError && err.phase ? err.phase : phase, message });
}

/** The server name for a hop: tls_config.server_name, else a Host header, on the first host only. */
function serverNameFor(module: HttpModuleConfig, hostHeader: string | undefined, first: URL, target: URL) {
  if (target.host !== first.host) return undefined;
  return module.tls_config.server_name ?? hostHeader;
}

function parseTarget(url: string, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    // The text is not echoed: a malformed URL may still carry credentials.
    throw new ProbeError(
      'protocol_error',
      base ? 'the redirect Location is not a valid URL' : 'the target is not a valid URL',
      base ? 'processing' : 'resolve',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ProbeError(
      'protocol_error',
      `unsupported URL scheme "${parsed.protocol}"`,
      base ? 'processing' : 'resolve',
    );
  }
  return parsed;
}

async function probeHops(
  url: string,
  module: HttpModuleConfig,
  options: HttpProbeOptions,
  run: ProbeRun,
  state: ProbeState,
  checks: CompiledChecks,
  io: ExchangeIo,
): Promise<void> {
  const first = parseTarget(url);
  const prepared = io.prepared ?? (await run.race(prepareRequest(module, first)));
  let { method, body } = prepared;
  let target = first;
  let jar = io.jar;
  const secretScope = new SecretScope(first);
  const keepBody = checks.hasBodyRegex || io.keepBody === true;

  for (;;) {
    state.finalUrl = target;
    const hop = new Hop(hopTarget(target, serverNameFor(module, prepared.headers.host, first, target)));
    state.hops.push(hop);
    run.current = hop;
    const secureContext = hop.target.https ? secureContextFor(module.tls_config) : undefined;
    secureContext?.catch(noop); // awaited (and reported) in the TLS phase; never unhandled
    const headers = hopHeaders(prepared, secretScope, target, jar);
    const display = hop.target.display;
    run.trace.add(`${method} ${display} (${describeHeaders(headers, module.secret_headers)})`);

    let followTo: string | undefined;
    const policy: BodyPolicy = {
      compression: module.compression,
      limit: bodyLimit(module.body_size_limit, keepBody),
      keepBody,
      // Runs when the headers arrive: decides redirect vs final, and runs the head checks right
      // away so that their failure stands even if reading the body later times out.
      wantsBody: (response: HopResponse) => {
        state.final = response;
        followTo = module.follow_redirects
          ? redirectLocation(response.statusCode, response.headers)
          : undefined;
        run.trace.add(
          `${method} ${display} -> ${response.statusCode} HTTP/${response.httpVersion}` +
            `${followTo !== undefined ? ` Location: ${followTo}` : ''}` +
            ` (processing ${formatMs((hop.seconds('processing') ?? 0) * 1000)})`,
        );
        if (followTo !== undefined) return false;
        const failure = checkResponseHead(module, checks, response, hop.tls !== undefined);
        if (failure !== undefined) failWith(run, state, failure, 'processing');
        return true;
      },
    };

    const outcome = await run.race(
      exchange(
        hop,
        run,
        { module, allowedNetworks: options.allowedNetworks, dnsServers: options.dnsServers, secureContext },
        { method, path: `${target.pathname}${target.search}`, headers, body },
        policy,
      ),
    );
    hop.destroy();
    if (run.aborted) throw new ProbeError('timeout', 'probe aborted');
    const response = outcome.response;
    if (outcome.error !== undefined) {
      // undici reports a socket that died as "other side closed"; the socket's own error (a TLS
      // alert, a reset) says why, when there is one.
      const generic = (outcome.error as { code?: unknown }).code === 'UND_ERR_SOCKET';
      const error = generic && hop.socketError !== undefined ? hop.socketError : outcome.error;
      failWith(run, state, error, outcome.errorPhase ?? hop.current ?? 'resolve');
      return;
    }
    if (response === undefined) return; // unreachable: an exchange ends with a response or an error
    const setCookie = response.headers['set-cookie'];
    if (setCookie !== undefined && (followTo !== undefined || io.jar !== undefined)) {
      (jar ??= new ProbeCookies()).store(target, setCookie);
    }

    if (followTo !== undefined) {
      if (state.redirects >= module.max_redirects) {
        throw new ProbeError(
          'too_many_redirects',
          `stopped after ${state.redirects} redirects (max_redirects ${module.max_redirects}); next was ${followTo}`,
          'processing',
        );
      }
      const next = parseTarget(followTo, target);
      state.redirects++;
      ({ method, body } = redirectedRequest(response.statusCode, method, body));
      target = next;
      continue;
    }

    const sink = response.body;
    if (sink !== undefined) {
      run.trace.add(
        `read ${sink.bytes} body bytes${sink.rawBytes !== sink.bytes ? ` (${sink.rawBytes} ${module.compression})` : ''}` +
          ` in ${formatMs((hop.seconds('transfer') ?? 0) * 1000)}`,
      );
      if (checks.hasBodyRegex && state.failure === undefined) {
        const failure = checkBody(checks, sink.content());
        if (failure !== undefined) failWith(run, state, failure, 'transfer');
      }
    }
    return;
  }
}

export async function httpProber(
  url: string,
  module: HttpModuleConfig,
  ctx: ProbeContext,
  options: HttpProbeOptions,
): Promise<ProbeResult> {
  return (await httpExchange(url, module, ctx, options)).result;
}

/** One probe of `url`: the http prober, with what a journey step adds (ExchangeIo). Never throws. */
export async function httpExchange(
  url: string,
  module: HttpModuleConfig,
  ctx: ProbeContext,
  options: HttpProbeOptions,
  io: ExchangeIo = {},
): Promise<ExchangeOutcome> {
  const run = new ProbeRun(ctx);
  const state: ProbeState = {
    hops: [],
    redirects: 0,
    final: undefined,
    failure: undefined,
    failedDueToRegex: false,
  };
  let checks = NO_CHECKS;
  try {
    checks = compileChecks(module);
    await probeHops(url, module, options, run, state, checks, io);
  } catch (err) {
    const phase = run.current?.current ?? 'resolve';
    // Once aborted, whatever else failed (sockets torn down, "client destroyed") is a consequence.
    if (run.aborted) {
      fail(run, state, {
        reason: 'timeout',
        phase,
        message: `timeout in ${phase} after ${Math.round(run.elapsedMs(run.abortedAt))}ms`,
      });
    } else {
      failWith(run, state, err, phase);
    }
  } finally {
    run.current?.destroy();
    run.dispose();
  }
  return { result: buildResult(run, state, checks), final: state.final, finalUrl: state.finalUrl };
}
