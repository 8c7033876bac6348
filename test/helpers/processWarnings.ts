/**
 * The process warnings (TimeoutOverflowWarning, ...) emitted during each test of the calling
 * file: registers its own beforeEach/afterEach, so call it at the top level of a test file.
 */
import { afterEach, beforeEach } from 'vitest';

export function captureProcessWarnings(): () => Error[] {
  let warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  beforeEach(() => {
    warnings = [];
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
  });
  return () => warnings;
}
