/**
 * How a transformed config value is written back in vantage.yml. Every field whose schema
 * transforms what the user wrote (durations to milliseconds, sizes to bytes) registers here the
 * inverse next to the transform, so GET /config and the debug probe print a config that pastes
 * back (config/render.ts) without a list of key names to keep in step with the schema.
 *
 * A registry of its own, not .meta(): the JSON Schema of vantage.yml must not carry it.
 */
import { z } from 'zod';

export interface InputForm {
  /** The parsed value -> what vantage.yml says for it (parsing that again gives the same value). */
  render(parsed: never): unknown;
}

export const inputForms = z.registry<InputForm>();
