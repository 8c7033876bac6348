/**
 * Body regexps on RE2 as blackbox_exporter runs them (Go RE2): its syntax, its reading of bytes that
 * are not UTF-8, and the cap on the body kept for matching when body_size_limit is unset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_REGEX_DEFAULT_LIMIT } from '../../src/probers/http/body.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';
import { probe, sample, traceText } from './http-prober-helpers.js';

describe('httpProber: body regexps on RE2', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      switch (url.pathname) {
        case '/latin1':
          // "café ok" in ISO-8859-1: 0xE9 is not UTF-8.
          res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]));
          return;
        case '/sized':
          res.end(Buffer.alloc(Number(url.searchParams.get('bytes')), 'x'));
          return;
        default:
          res.end('Status: OK\nÉtat: prêt\n');
      }
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads Go RE2 syntax that JavaScript does not know', async () => {
    const result = await probe(`${server.origin}/`, {
      fail_if_body_not_matches_regexp: ['(?i)status: ok', '\\pL+: [[:alpha:]]+\\b', '(?P<mot>prêt)\\n\\z'],
      fail_if_body_matches_regexp: ['(?s)\\Aerror.*'],
    });
    expect(result.failure).toBeUndefined();
    expect(sample(result, 'probe_failed_due_to_regex')).toBe(0);
  });

  it('reads a byte that is not UTF-8 as U+FFFD, which `.` matches, as Go does', async () => {
    const result = await probe(`${server.origin}/latin1`, {
      fail_if_body_not_matches_regexp: ['^caf. ok$', 'caf\\x{FFFD}'],
    });
    expect(result.failure).toBeUndefined();
  });

  it('keeps a body of exactly the default cap, and refuses one byte more as body_too_large', async () => {
    const atCap = await probe(`${server.origin}/sized?bytes=${BODY_REGEX_DEFAULT_LIMIT}`, {
      fail_if_body_not_matches_regexp: ['x$'],
    });
    expect(atCap.failure).toBeUndefined();

    const over = await probe(`${server.origin}/sized?bytes=${BODY_REGEX_DEFAULT_LIMIT + 1}`, {
      fail_if_body_not_matches_regexp: ['x$'],
    });
    expect(over.failure).toMatchObject({ reason: 'body_too_large', phase: 'transfer' });
    expect(over.failure?.message).toContain('set body_size_limit to allow more');

    // An explicit body_size_limit is the user's choice and replaces the cap.
    const raised = await probe(`${server.origin}/sized?bytes=${BODY_REGEX_DEFAULT_LIMIT + 1}`, {
      fail_if_body_not_matches_regexp: ['x$'],
      body_size_limit: '20MiB',
    });
    expect(raised.failure).toBeUndefined();

    // Without a body regexp nothing is kept, so nothing is capped (blackbox's unlimited default).
    const unkept = await probe(`${server.origin}/sized?bytes=${BODY_REGEX_DEFAULT_LIMIT + 1}`);
    expect(unkept.failure).toBeUndefined();
    expect(traceText(unkept)).toContain(`read ${BODY_REGEX_DEFAULT_LIMIT + 1} body bytes`);
  });
});
