/**
 * Which credentials a module carries. /probe lets a requester pick the module and the target
 * separately; a module with credentials may only be combined with the targets that list it, or
 * one module's bearer token goes to whatever target the requester names (blackbox_exporter never
 * sends a module's credentials anywhere but where its scrape config points). Pure, one job.
 */
import { browserStepTemplates, type BrowserModuleConfig } from './browserSchema.js';
import { safeParse, stepTemplates, type JourneyModuleConfig } from './journeySchema.js';
import type { ModuleConfig } from './schema.js';
import { secretHeaderNames } from './secretHeaders.js';
import type { Template } from './template.js';

/** `${env:...}` and `${file:...}` are secrets by definition. */
const readsSecrets = (template: Template): boolean =>
  template.some((part) => part.kind === 'env' || part.kind === 'file');

/** What makes `module` credential-carrying, by config key (empty: it carries none). */
export function moduleCredentials(module: ModuleConfig): string[] {
  if (module.prober === 'journey') return journeyCredentials(module.journey);
  if (module.prober === 'browser') return browserCredentials(module.browser);
  if (module.prober !== 'http') return [];
  const http = module.http;
  const found: string[] = [];
  if (http.basic_auth !== undefined) found.push('basic_auth');
  if (http.bearer_token !== undefined) found.push('bearer_token');
  if (http.bearer_token_file !== undefined) found.push('bearer_token_file');
  if (http.authorization !== undefined) found.push('authorization');
  if (http.tls_config.cert_file !== undefined || http.tls_config.key_file !== undefined) {
    found.push('tls_config client certificate');
  }
  for (const name of secretHeaderNames(http.headers, http.secret_headers)) found.push(`header ${name}`);
  return found;
}

/**
 * A journey carries credentials when it reads env or files (`${env:...}`, `${file:...}`: secrets
 * by definition), sends secret headers, or has a client certificate.
 */
function journeyCredentials(journey: JourneyModuleConfig): string[] {
  const found = new Set<string>();
  if (journey.tls_config.cert_file !== undefined || journey.tls_config.key_file !== undefined) {
    found.add('tls_config client certificate');
  }
  for (const name of secretHeaderNames(journey.headers, journey.secret_headers)) found.add(`header ${name}`);
  journey.steps.forEach((step, i) => {
    for (const name of secretHeaderNames(step.request.headers, journey.secret_headers)) {
      found.add(`steps[${i}] header ${name}`);
    }
    for (const [path, template] of stepTemplates(step)) {
      if (readsSecrets(template)) {
        found.add(`steps[${i}].request.${path.join('.')} secret reference`);
      }
    }
  });
  return [...found];
}

/** A browser flow carries credentials when it reads env or files (typed passwords, tokens in headers). */
function browserCredentials(flow: BrowserModuleConfig): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(flow.headers)) {
    if (readsSecrets(safeParse(value))) found.add(`header ${name}`);
  }
  flow.steps.forEach((step, i) => {
    for (const [path, template] of browserStepTemplates(step)) {
      if (readsSecrets(template)) found.add(`steps[${i}].${path.join('.')} secret reference`);
    }
  });
  return [...found];
}
