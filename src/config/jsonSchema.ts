/**
 * JSON Schema (draft 2020-12) of vantage.yml as a user writes it (durations as "30s", sizes as
 * "10MB"), for editor completion and validation:
 *   # yaml-language-server: $schema=./vantage.schema.json
 * Generated from the zod schema so the two cannot disagree; `vantage config-schema` prints it and
 * test/unit/configJsonSchema.test.ts keeps the committed vantage.schema.json in step.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

export const CONFIG_SCHEMA_ID = 'urn:vantage:config:vantage.yml';

export function configJsonSchema(): object {
  const generated = z.toJSONSchema(configSchema, {
    target: 'draft-2020-12',
    io: 'input',
    // Durations and sizes are strings/numbers transformed after validation: describe their input.
    unrepresentable: 'any',
  });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'vantage configuration (vantage.yml)',
    description:
      'Synthetic monitoring targets, probe modules (blackbox_exporter http modules paste in unchanged) ' +
      'and service settings. Reference: docs/configuration.md.',
    ...rest,
  };
}
