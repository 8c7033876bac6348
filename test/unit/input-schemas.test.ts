/**
 * The request schemas of input/: every rejection is an InputError naming the field (a
 * dotted body path or the query parameter), and what passes is the typed value the store takes.
 */
import { describe, expect, it } from 'vitest';
import { parseChangeQuery, parseIdempotencyKey, parseNewChange } from '../../src/input/changeInput.js';
import { parseIncidentQuery, parseWebhookPayload } from '../../src/input/incidentInput.js';
import { InputError, inputErrorBody } from '../../src/input/inputError.js';
import { parseReportListQuery, parseReportRequest } from '../../src/input/reportInput.js';

/** The InputError `fn` throws (anything else fails the test). */
function rejection(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

const NOW = Date.UTC(2025, 5, 1);
const alert = (over: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels: { alertname: 'VantageTargetDown', target: 'shop' },
  annotations: {},
  startsAt: '2025-03-14T09:30:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: 'fp1',
  ...over,
});
const webhook = (alerts: unknown[], over: Record<string, unknown> = {}) => ({
  version: '4',
  status: 'firing',
  receiver: 'vantage',
  alerts,
  ...over,
});

describe('inputErrorBody', () => {
  it('is {error: "<field>: <message>", field}', () => {
    expect(inputErrorBody('limit', 'must be a whole number')).toEqual({
      error: 'limit: must be a whole number',
      field: 'limit',
    });
  });
});

describe('change body', () => {
  it.each<[Record<string, unknown>, string, string | RegExp]>([
    [{ kind: 'deploy' }, 'title', 'is required and must not be empty'],
    [{ title: null, kind: 'deploy' }, 'title', 'is required and must not be empty'],
    [{ title: '  ', kind: 'deploy' }, 'title', 'is required and must not be empty'],
    [{ title: 5, kind: 'deploy' }, 'title', 'must be a string, got number'],
    [{ title: 'x'.repeat(201), kind: 'deploy' }, 'title', 'must be at most 200 characters, got 201'],
    [
      { title: 't' },
      'kind',
      'is required: one of deploy, config, infrastructure, optimisation, load_test, other',
    ],
    [{ title: 't', kind: 'release' }, 'kind', /^must be one of deploy, .*, got "release"$/],
    [{ title: 't', kind: 'deploy', target: 'Home Page' }, 'target', /^must be a target name/],
    [{ title: 't', kind: 'deploy', target: 7 }, 'target', 'must be a string, got number'],
    [
      { title: 't', kind: 'deploy', at: '14/03/2025' },
      'at',
      /^expected an ISO-8601 time with an offset or Z/,
    ],
    [{ title: 't', kind: 'deploy', at: '1969-12-31T23:59:59Z' }, 'at', /^year 1969 is before 1970/],
    [
      { title: 't', kind: 'deploy', description: 'd'.repeat(10_001) },
      'description',
      /^must be at most 10000/,
    ],
    [{ title: 't', kind: 'deploy', colour: 'red' }, 'colour', /^unknown field \(expected title, kind/],
    // An unknown field is named before a missing one: the typo is what to fix.
    [{ tittle: 't', kind: 'deploy' }, 'tittle', /^unknown field/],
  ])('%j -> %s', (body, field, message) => {
    const err = rejection(() => parseNewChange(body));
    expect(err.field).toBe(field);
    expect(err.message).toMatch(typeof message === 'string' ? new RegExp(`^${escape(message)}$`) : message);
  });

  it('passes typed values: trimmed title, null target and description, at in Unix ms', () => {
    expect(
      parseNewChange({ title: ' t ', kind: 'config', target: '', at: '2025-03-14T10:30:00+01:00' }),
    ).toEqual({
      title: 't',
      kind: 'config',
      target: null,
      at: Date.UTC(2025, 2, 14, 9, 30),
      description: null,
    });
  });
});

describe('change query', () => {
  it.each<[Record<string, string>, string]>([
    [{ limit: 'abc' }, 'limit'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ since: 'yesterday' }, 'since'],
    [{ until: '2025-03-14' }, 'until'],
    [{ target: 'Not A Name' }, 'target'],
    [{ colour: 'red' }, 'colour'],
    // As a query string gives it: an own key, not the prototype.
    [JSON.parse('{"__proto__": "x"}') as Record<string, string>, '__proto__'],
  ])('%j -> %s', (query, field) => {
    expect(rejection(() => parseChangeQuery(query)).field).toBe(field);
  });

  it('drops empty parameters and types the rest', () => {
    expect(parseChangeQuery({ target: '', since: '2025-01-01T00:00:00Z', until: '', limit: '5' })).toEqual({
      since: Date.UTC(2025, 0, 1),
      limit: 5,
    });
  });
});

describe('idempotency key', () => {
  it.each<[string | undefined, unknown]>([
    [undefined, 42],
    ['a', 'b'],
    [undefined, 'has space'],
    ['k'.repeat(256), undefined],
  ])('header %j, body %j -> idempotency_key', (header, body) => {
    expect(rejection(() => parseIdempotencyKey(header, body)).field).toBe('idempotency_key');
  });

  it('takes one from either place, or none', () => {
    expect(parseIdempotencyKey('k1', undefined)).toBe('k1');
    expect(parseIdempotencyKey(undefined, 'k1')).toBe('k1');
    expect(parseIdempotencyKey('k1', 'k1')).toBe('k1');
    expect(parseIdempotencyKey(undefined, null)).toBeUndefined();
  });
});

describe('Alertmanager webhook', () => {
  it.each<[unknown, string]>([
    [[], 'body'],
    [null, 'body'],
    [webhook([], { version: '3' }), 'version'],
    [webhook([], { status: 'pending' }), 'status'],
    [webhook([], { alerts: 'none' }), 'alerts'],
    [webhook([alert({ startsAt: 'yesterday' })]), 'alerts.0.startsAt'],
    [webhook([alert(), alert({ fingerprint: '' })]), 'alerts.1.fingerprint'],
    [webhook([alert({ labels: { severity: 'critical' } })]), 'alerts.0.labels'],
    [webhook([alert({ labels: { alertname: 5 } })]), 'alerts.0.labels.alertname'],
    [webhook([alert({ status: 'pending' })]), 'alerts.0.status'],
    [webhook([alert({ startsAt: '0099-05-01T00:00:00Z' })]), 'alerts.0.startsAt'],
    [webhook([alert({ status: 'resolved', endsAt: 'soon' })]), 'alerts.0.endsAt'],
    [webhook([alert({ status: 'resolved', endsAt: '2025-03-14T09:29:00Z' })]), 'alerts.0.endsAt'],
  ])('%j -> %s', (body, field) => {
    expect(rejection(() => parseWebhookPayload(body)).field).toBe(field);
  });

  it('keeps Alertmanager fields it does not read, and fills annotations', () => {
    const [parsed] = parseWebhookPayload(
      webhook([{ ...alert(), annotations: undefined, generatorURL: 'x' }]),
    );
    expect(parsed).toMatchObject({ fingerprint: 'fp1', annotations: {} });
  });
});

describe('incident query', () => {
  it.each<[Record<string, string>, string]>([
    [{ status: 'open' }, 'status'],
    [{ since: 'yesterday' }, 'since'],
    [{ until: 'soon' }, 'until'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '1e2' }, 'limit'],
    [{ colour: 'red' }, 'colour'],
  ])('%j -> %s', (query, field) => {
    const err = rejection(() => parseIncidentQuery(query));
    expect(err.field).toBe(field);
  });

  it('types what it keeps and drops empty parameters', () => {
    expect(
      parseIncidentQuery({
        target: 'shop',
        alertname: '',
        status: 'resolved',
        since: '2025-01-01T00:00:00Z',
        limit: '3',
      }),
    ).toEqual({ target: 'shop', status: 'resolved', since: Date.UTC(2025, 0, 1), limit: 3 });
  });
});

describe('report request', () => {
  it.each<[unknown, string, string]>([
    [{}, 'date', 'required'],
    [{ date: 20250106 }, 'date', 'must be a string'],
    [{ date: '06.01.2025' }, 'date', 'not a date'],
    [{ date: '2025-02-30' }, 'date', 'no such date'],
    [{ date: '2099-01-01' }, 'date', 'has not started yet'],
    [{ date: '2025-01-06', period: 'year' }, 'period', 'must be one of: day, week, month'],
    [{ date: '2025-01-06', time_zone: 'Mars/Base' }, 'time_zone', 'unknown time zone'],
    [{ date: '2025-01-06', time_zone: 5 }, 'time_zone', 'unknown time zone'],
    [{ date: '2025-01-06', format: 'pdf' }, 'format', 'unknown field (expected date, period, time_zone)'],
  ])('%j -> %s', (body, field, message) => {
    const err = rejection(() => parseReportRequest(body, 'UTC', NOW));
    expect(err.field).toBe(field);
    expect(err.message).toContain(message);
  });

  it('defaults the period to day and the zone to the schedule one', () => {
    expect(parseReportRequest({ date: '2025-01-06' }, 'Europe/Berlin', NOW)).toEqual({
      date: '2025-01-06',
      period: 'day',
      timeZone: 'Europe/Berlin',
    });
  });
});

describe('report list query', () => {
  it.each<[Record<string, string>, string]>([
    [{ kind: 'year' }, 'kind'],
    [{ limit: '0' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ format: 'html' }, 'format'],
  ])('%j -> %s', (query, field) => {
    expect(rejection(() => parseReportListQuery(query)).field).toBe(field);
  });

  it('types kind and limit', () => {
    expect(parseReportListQuery({ kind: 'week', limit: '2' })).toEqual({ kind: 'week', limit: 2 });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
