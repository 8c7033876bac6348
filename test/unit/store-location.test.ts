/**
 * Which database a --storage.path means (src/store/location.ts), for every combination of the
 * two layouts, and the stack's refusal to start beside a store it would not use.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookUpStore, StoreLocationError, storeToUse } from '../../src/store/location.js';
import { stackStoreProblem } from '../../src/stack/preflight.js';

const DIR = join('data', 'stack');
const SERVE = join(DIR, 'vantage.db');
const STACK = join(DIR, 'vantage', 'vantage.db');
const existing =
  (...files: string[]) =>
  (file: string) =>
    files.includes(file);

describe('lookUpStore', () => {
  it.each([
    [[SERVE], { kind: 'found', store: { layout: 'serve', dir: DIR, file: SERVE } }],
    [[STACK], { kind: 'found', store: { layout: 'stack', dir: join(DIR, 'vantage'), file: STACK } }],
    [[], { kind: 'missing', candidates: [{ file: SERVE }, { file: STACK }] }],
    [[SERVE, STACK], { kind: 'ambiguous', stores: [{ file: SERVE }, { file: STACK }] }],
  ])('with %j', (files, expected) => {
    expect(lookUpStore(DIR, existing(...files))).toMatchObject(expected);
  });
});

describe('storeToUse', () => {
  it('uses the store there, with or without --create', () => {
    for (const create of [false, true]) {
      expect(storeToUse(DIR, { create }, existing(STACK))).toMatchObject({ file: STACK, created: false });
    }
  });

  it('creates only when asked, in the serve layout', () => {
    expect(storeToUse(DIR, { create: true }, existing())).toMatchObject({
      dir: DIR,
      file: SERVE,
      created: true,
    });
    expect(() => storeToUse(DIR, { create: false, howToCreate: 'pass --create' }, existing())).toThrow(
      StoreLocationError,
    );
  });

  it('says every place it looked and how to create one', () => {
    let message = '';
    try {
      storeToUse(DIR, { create: false, howToCreate: 'pass --create' }, existing());
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`${SERVE} (vantage serve and docker compose keep theirs here)`);
    expect(message).toContain(`${STACK} (vantage stack keeps its here)`);
    expect(message).toContain('pass --create');
  });

  it('refuses two stores even with --create, pointing at the stack one by its own path', () => {
    expect(() => storeToUse(DIR, { create: true }, existing(SERVE, STACK))).toThrow(
      `--storage.path=${join(DIR, 'vantage')}`,
    );
  });
});

describe('stackStoreProblem', () => {
  it('none for an empty directory or the stack layout', () => {
    expect(stackStoreProblem(DIR, existing())).toBeUndefined();
    expect(stackStoreProblem(DIR, existing(STACK))).toBeUndefined();
  });

  it('a store in the serve layout would be left beside a second one: say so, with the move', () => {
    expect(stackStoreProblem(DIR, existing(SERVE))).toContain(`mv ${SERVE}* ${join(DIR, 'vantage')}/`);
    expect(stackStoreProblem(DIR, existing(SERVE, STACK))).toContain('two vantage stores there');
  });
});
