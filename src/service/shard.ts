/**
 * Sharding targets across vantage instances that share one config file (`serve --shard=I/N`):
 * instance I probes the targets whose FNV-1a hash of the name, modulo N, is I. Every instance
 * computes the same split from the name alone, so N instances divide the targets between them
 * with no coordination, and a target stays on its shard across restarts and reloads. The hash
 * is of the name, not the URL, so editing a target's URL never moves it. Changing N moves most
 * targets (as Prometheus' `hashmod` relabelling does): restart every shard together.
 */
import type { VantageConfig } from '../config/schema.js';

export interface Shard {
  /** 0 <= index < count. */
  index: number;
  count: number;
}

/** One shard of one: every target (the default, without --shard). */
export const WHOLE: Shard = { index: 0, count: 1 };

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`: small, fast, stable across platforms. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The shard a target belongs to among `count` shards. */
export function shardOf(targetName: string, count: number): number {
  return fnv1a32(targetName) % count;
}

export function inShard(targetName: string, shard: Shard): boolean {
  return shard.count === 1 || shardOf(targetName, shard.count) === shard.index;
}

/**
 * The config this shard probes: the same config with only its own targets. /probe still reads
 * the whole config, so an on-demand probe of any configured target works on every shard.
 */
export function shardConfig(config: VantageConfig, shard: Shard): VantageConfig {
  if (shard.count === 1) return config;
  return { ...config, targets: config.targets.filter((t) => inShard(t.name, shard)) };
}

export const formatShard = (shard: Shard): string => `${shard.index}/${shard.count}`;
