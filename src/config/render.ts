/**
 * The parsed config written back as vantage.yml says it: durations as "15s", sizes as "10MiB",
 * every other value as it is (already valid input). GET /config and the debug probe's module
 * view print this, so what they show pastes back into a config file and loads to the same config.
 *
 * Walks the zod schema beside the value: a field whose schema registered an input form
 * (config/inputForm.ts) is rendered with it; everything else is kept.
 */
import { stringify } from 'yaml';
import type { z } from 'zod';
import { inputForms } from './inputForm.js';
import { configSchema, moduleSchema, type ModuleConfig, type VantageConfig } from './schema.js';

type Schema = z.core.$ZodType;

/** `value`, parsed by `schema`, in the form the file gives it. */
export function toConfigInput(value: unknown, schema: Schema): unknown {
  if (value === undefined || value === null) return value;
  const form = inputForms.get(schema);
  if (form) return form.render(value as never);
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'nonoptional':
      return toConfigInput(value, def.innerType as Schema);
    case 'object':
      return mapEntries(value, (key) => (def.shape as Record<string, Schema>)[key]);
    case 'record':
      return mapEntries(value, () => def.valueType as Schema);
    case 'array':
      return Array.isArray(value) ? value.map((item) => toConfigInput(item, def.element as Schema)) : value;
    case 'union': {
      const option = (def.options as Schema[]).find((o) => literalsMatch(o, value));
      return option ? toConfigInput(value, option) : value;
    }
    default:
      return value;
  }
}

/** The running config as YAML that `vantage check-config` accepts (secrets, already redacted, aside). */
export function renderConfigYaml(config: VantageConfig): string {
  return stringify(toConfigInput(config, configSchema));
}

/** One module as it would stand under `modules:` in vantage.yml. */
export function renderModuleYaml(module: ModuleConfig): string {
  return stringify(toConfigInput(module, moduleSchema));
}

function mapEntries(value: unknown, schemaOf: (key: string) => Schema | undefined): unknown {
  if (typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as object)) {
    const schema = schemaOf(key);
    out[key] = schema ? toConfigInput(v, schema) : v;
  }
  return out;
}

/** Whether `value` has the literal fields (a module's `prober`) of an object option of a union. */
function literalsMatch(option: Schema, value: unknown): boolean {
  const def = option._zod.def as z.core.$ZodTypeDef & { shape?: Record<string, Schema> };
  if (def.type !== 'object' || typeof value !== 'object' || def.shape === undefined) return false;
  return Object.entries(def.shape).every(([key, field]) => {
    const fieldDef = field._zod.def as z.core.$ZodTypeDef & { values?: unknown[] };
    return (
      fieldDef.type !== 'literal' || (fieldDef.values ?? []).includes((value as Record<string, unknown>)[key])
    );
  });
}
