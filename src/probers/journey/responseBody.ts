/**
 * What extractions and JSON assertions read of a step's final response: its headers, its body as
 * text, and the body parsed as JSON, each computed at most once per step and only when asked.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

export class StepResponse {
  private textCache: string | undefined;
  private jsonCache: ParsedJson | undefined;

  constructor(
    readonly headers: IncomingHttpHeaders,
    private readonly body: Buffer | undefined,
  ) {}

  get text(): string {
    return (this.textCache ??= this.body?.toString('utf8') ?? '');
  }

  get json(): ParsedJson {
    if (this.jsonCache === undefined) {
      try {
        this.jsonCache = { ok: true, value: JSON.parse(this.text) as unknown };
      } catch {
        const type = this.headers['content-type'];
        this.jsonCache = {
          ok: false,
          error: `the body is not JSON (${this.text.length} characters${typeof type === 'string' ? `, ${type}` : ''})`,
        };
      }
    }
    return this.jsonCache;
  }
}
