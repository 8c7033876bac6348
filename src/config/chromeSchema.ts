/**
 * The settings every module that drives its own Chrome shares (Lighthouse audits and browser
 * flows): the emulated form factor, the Lighthouse categories, extra Chrome switches and how many
 * kept reports to keep. One definition, so the two probers accept and default them alike.
 */
import { z } from 'zod';

export const LIGHTHOUSE_CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

export const formFactorSchema = z
  .enum(['mobile', 'desktop'])
  .default('mobile')
  .describe("mobile (Lighthouse's default Moto G Power emulation) or desktop (Lighthouse's desktop preset)");

export const categoriesSchema = (what: string) =>
  z
    .array(z.enum(LIGHTHOUSE_CATEGORIES))
    .min(1, 'list at least one category')
    .default([...LIGHTHOUSE_CATEGORIES])
    .describe(what);

export const chromeFlagsSchema = z
  .array(z.string().regex(/^--[a-z0-9-]+(=.*)?$/, 'must be a Chrome switch such as --lang=de'))
  .default([])
  .describe('extra Chrome flags, added to the ones vantage always sets');

export const reportHistorySchema = (what: string) =>
  z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(10)
    .describe(`how many past ${what} to keep per target and module`);
