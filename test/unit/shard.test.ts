import { describe, expect, it } from 'vitest';
import { parseShard, UsageError } from '../../src/cli.js';
import { formatConfigError, parseConfigText } from '../../src/config/load.js';
import type { VantageConfig } from '../../src/config/schema.js';
import { renderShardInfo } from '../../src/metrics/targetSeries.js';
import { fnv1a32, inShard, shardConfig, shardOf, WHOLE } from '../../src/service/shard.js';

function configOf(text: string): VantageConfig {
  const result = parseConfigText(text);
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config;
}

describe('target sharding', () => {
  it('hashes with FNV-1a 32-bit (the published test vectors), the same on every call', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    // The split is a contract between instances of different versions: pin some assignments.
    const names = ['homepage', 'checkout', 'api', 'search', 'blog', 'docs'];
    expect(names.map((n) => shardOf(n, 3))).toEqual([0, 1, 2, 1, 0, 0]);
    expect(names.map((n) => shardOf(n, 2))).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('puts every target in exactly one shard, and spreads 10,000 names roughly evenly', () => {
    const names = [
      ...Array.from({ length: 5000 }, (_, i) => `target-${i}`),
      ...Array.from({ length: 5000 }, (_, i) => `shop_${(i * 7919) % 100_000}_checkout`),
    ];
    expect(new Set(names).size).toBe(10_000);
    for (const count of [2, 3, 5, 8, 10]) {
      const sizes = new Array<number>(count).fill(0);
      const notExactlyOne: string[] = [];
      for (const name of names) {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) =>
          inShard(name, { index, count }),
        );
        if (owners.length === 1) sizes[owners[0]!]!++;
        else notExactlyOne.push(`${name}: ${owners.join(',')}`);
      }
      expect(notExactlyOne).toEqual([]);
      const even = 10_000 / count;
      for (const size of sizes) {
        expect(size, `shard sizes for ${count} shards: ${sizes.join(', ')}`).toBeGreaterThan(even * 0.9);
        expect(size, `shard sizes for ${count} shards: ${sizes.join(', ')}`).toBeLessThan(even * 1.1);
      }
    }
    expect(names.every((n) => inShard(n, WHOLE))).toBe(true);
  });

  it('keeps the whole config but only its own targets, so /probe still knows every target', () => {
    const config = configOf(`
modules:
  http_2xx: {prober: http}
targets:
${Array.from({ length: 20 }, (_, i) => `  - {name: t${i}, url: "http://127.0.0.1:9/${i}"}`).join('\n')}
`);
    const parts = [0, 1, 2].map((index) => shardConfig(config, { index, count: 3 }));
    const all = parts.flatMap((p) => p.targets.map((t) => t.name));
    expect(all.sort()).toEqual(config.targets.map((t) => t.name).sort());
    expect(new Set(all).size).toBe(20);
    for (const part of parts) {
      expect(part.targets.length).toBeGreaterThan(0);
      expect(part.modules).toBe(config.modules);
    }
    expect(shardConfig(config, WHOLE)).toBe(config);
  });

  it('renders vantage_shard_info', () => {
    expect(renderShardInfo({ index: 1, count: 3 })).toBe(
      '# HELP vantage_shard_info Which shard of the configured targets this instance probes (serve --shard=INDEX/COUNT; 0 of 1 without it); always 1.\n' +
        '# TYPE vantage_shard_info gauge\n' +
        'vantage_shard_info{index="1",count="3"} 1\n',
    );
  });
});

describe('--shard', () => {
  it('parses INDEX/COUNT, and means every target when absent', () => {
    expect(parseShard(undefined)).toEqual({ index: 0, count: 1 });
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard('0/3')).toEqual({ index: 0, count: 3 });
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('15/16')).toEqual({ index: 15, count: 16 });
  });

  it.each(['3/3', '4/3', '0/0', '-1/2', '1', '1/', '/2', 'a/b', '1.5/3', '1/2/3', '', ' '])(
    'rejects %j with a message naming the flag',
    (text) => {
      expect(() => parseShard(text)).toThrow(UsageError);
      expect(() => parseShard(text)).toThrow(
        `--shard: expected INDEX/COUNT with 0 <= INDEX < COUNT, got "${text}"`,
      );
    },
  );
});
