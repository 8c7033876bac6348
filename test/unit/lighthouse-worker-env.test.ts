import { describe, expect, it } from 'vitest';
import { workerEnv } from '../../src/probers/lighthouse/workerEnv.js';

describe('workerEnv: the Lighthouse worker does not inherit vantage heap limits', () => {
  it('drops the documented heap flags and keeps everything else', () => {
    const env = {
      PATH: '/usr/bin',
      NODE_OPTIONS: '--max-semi-space-size=4 --use-openssl-ca --max-old-space-size=256',
    };
    expect(workerEnv(env)).toEqual({ PATH: '/usr/bin', NODE_OPTIONS: '--use-openssl-ca' });
    expect(env.NODE_OPTIONS).toContain('256'); // the parent's environment is not modified
  });

  it('removes NODE_OPTIONS when only heap flags were in it, in any spelling', () => {
    expect(workerEnv({ NODE_OPTIONS: '--max_old_space_size=512  --max-semi-space-size 8' })).toEqual({});
  });

  it('leaves an environment without heap flags as it is', () => {
    const env = { NODE_OPTIONS: '--require "/opt/a  b.js"' };
    expect(workerEnv(env)).toBe(env);
    expect(workerEnv({})).toEqual({});
  });

  it('does not mistake another option for a heap flag', () => {
    const env = { NODE_OPTIONS: '--max-http-header-size=32768' };
    expect(workerEnv(env)).toBe(env);
  });
});
