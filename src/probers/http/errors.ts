/**
 * A failure the prober decided on itself (a check, a limit, a refused address, a timeout), as
 * opposed to an error thrown by the network stack, which classify.ts maps onto a reason.
 */
import type { FailureReason, HttpPhase } from '../types.js';

export class ProbeError extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    /** Set when the failure belongs to a known phase regardless of where the prober was. */
    readonly phase?: HttpPhase,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}
