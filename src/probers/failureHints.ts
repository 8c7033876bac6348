/**
 * What to do about a failed probe, per failure reason: the `hint` of the log line that says a
 * check started failing. The same advice as docs/runbook.md's VantageTargetDown table, in one
 * sentence, naming the module setting that decides when the check is the thing to fix.
 */
import type {
  BrowserFailureReason,
  FailureReason,
  JourneyFailureReason,
  LighthouseFailureReason,
  ProbeFailure,
} from './types.js';

type Hint = (module: string) => string;

const HINTS: Record<
  FailureReason | LighthouseFailureReason | JourneyFailureReason | BrowserFailureReason,
  Hint
> = {
  dns_error: () =>
    'check the DNS zone (dig +short HOST), or global.dns_servers if vantage uses its own resolvers',
  connection_refused: () => 'nothing listens there: check the service, its load balancer and firewalls',
  connection_reset: () =>
    'the peer dropped the connection: check the service, its load balancer and firewalls',
  timeout: (m) =>
    `no answer within modules.${m}.timeout: an overloaded or hung backend (phase says which step hung), or a timeout too short`,
  tls_error: () => 'check the certificate and TLS settings the server deploys',
  tls_cert_expired: () => 'renew the certificate deployed on the server',
  tls_cert_untrusted: (m) =>
    `the chain does not verify: deploy the intermediates, or set modules.${m}.http.tls_config.ca_file for a private CA`,
  tls_hostname_mismatch: () => 'the certificate does not name this host: deploy one that does',
  status_code: (m) =>
    `look at the application (5xx errors, a login wall or moved page after a change); ` +
    `if this status is expected, list it in modules.${m}.http.valid_status_codes`,
  http_version: (m) =>
    `the server answered another HTTP version than modules.${m}.http.valid_http_versions allows`,
  body_regex: (m) =>
    `an error page served with 200, or modules.${m}.http.fail_if_body_* outdated by a deploy`,
  header_regex: (m) => `a changed response, or modules.${m}.http.fail_if_header_* outdated by a deploy`,
  body_too_large: (m) =>
    `the body exceeds modules.${m}.http.body_size_limit: raise it if the page is meant to be that big`,
  too_many_redirects: () => 'a redirect loop on the server (curl -sIL URL shows the hops)',
  ssl_required: (m) =>
    `the final response's TLS does not match modules.${m}.http.fail_if_ssl / fail_if_not_ssl`,
  protocol_error: () => 'the server sent a malformed HTTP response: check the server or proxy in front of it',
  forbidden_address: () =>
    'the name resolves to a link-local or metadata address: treat it as a security incident',
  chrome_launch_failed: () => 'Chrome did not start: check $CHROME_PATH and that chromium is installed',
  chrome_crashed: () => 'Chrome crashed mid-audit: check the memory available to vantage',
  page_load_error: () => 'the page did not load in Chrome: probe it with an HTTP module to see why',
  lighthouse_error: () => 'Lighthouse failed: the trace of `vantage probe` shows each run',
  extraction_failed: (m) =>
    `the step's response no longer holds what modules.${m}.journey extracts (a changed API or page): ` +
    '`vantage probe --target T --module M` shows the response of each step',
  json_mismatch: (m) =>
    `the JSON answer changed, or the step's checks.json in modules.${m}.journey is outdated by a deploy`,
  selector_not_found: (m) =>
    `the page no longer has the element modules.${m}.browser.steps names (a redesign, or a page that failed to render): ` +
    'the failure screenshot linked in the message shows the page',
  navigation_timeout: (m) =>
    `a page of the flow did not load within its step timeout (modules.${m}.browser.steps[].timeout): a slow backend or a hung resource; the run's network list names the last requests`,
  assertion_failed: (m) =>
    `the page shows something else than modules.${m}.browser.steps expects: the failure screenshot shows what it showed`,
  page_error: () =>
    'the page refused the step (a detached or disabled element, no such option): see the screenshot',
};

export function failureHint(failure: ProbeFailure, module: string): string {
  const hint = HINTS[failure.reason](module);
  // A journey step's checks sit under its step, not under `http:`.
  return failure.step === undefined
    ? hint
    : hint.replaceAll(
        `modules.${module}.http.`,
        `the checks of step ${failure.step} of modules.${module}.journey: `,
      );
}
