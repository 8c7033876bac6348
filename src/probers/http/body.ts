/**
 * Reads a response body the way blackbox_exporter does: decompressed with the module's `compression`
 * (blindly, whatever Content-Encoding says: the module states what the server must send), limited by
 * `body_size_limit` *after* decompression, counted for probe_http_uncompressed_body_length, and kept
 * in memory only when a body regexp needs it.
 *
 * A kept body is always bounded. blackbox_exporter buffers the whole body when body_size_limit is
 * unset, so a target streaming without end grows the exporter until it dies; vantage keeps at most
 * BODY_REGEX_DEFAULT_LIMIT for the regexps then, and fails a larger body as `body_too_large` with a
 * message naming body_size_limit, the setting that raises it. A body that is not kept is only
 * counted, so no limit is needed there and blackbox's "unlimited" stands.
 *
 * The limit is enforced as bytes come out of the decoder and the read stops at once, so a
 * decompression bomb never materialises: zlib emits at most `chunkSize` bytes per step and
 * backpressure pauses the socket while the decoder is busy.
 */
import type { Transform } from 'node:stream';
import {
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  type ZlibOptions,
} from 'node:zlib';
import type { HttpModuleConfig } from '../../config/schema.js';
import { ProbeError } from './errors.js';

export type Compression = HttpModuleConfig['compression'];

/** Pause/resume the socket (undici's DispatchController). */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

const DECODER_OPTIONS: ZlibOptions = { chunkSize: 64 * 1024 };

/**
 * HTTP "deflate" is zlib-wrapped (RFC 9110), but Go's compress/flate, which blackbox uses, reads raw
 * DEFLATE and servers send both; the zlib header (CMF/FLG check bits) tells them apart.
 */
function isZlibWrapped(chunk: Buffer): boolean {
  if (chunk.length < 2) return true;
  const cmf = chunk[0]!;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | chunk[1]!) % 31 === 0;
}

function createDecoder(compression: Compression, firstChunk: Buffer): Transform | undefined {
  switch (compression) {
    case 'gzip':
      return createGunzip(DECODER_OPTIONS);
    case 'br':
      return createBrotliDecompress(DECODER_OPTIONS);
    case 'deflate':
      return isZlibWrapped(firstChunk) ? createInflate(DECODER_OPTIONS) : createInflateRaw(DECODER_OPTIONS);
    default:
      return undefined; // '' and 'identity': the body is read as is
  }
}

/**
 * The most body kept in memory for the body regexps when body_size_limit is unset (0). Several
 * times a heavy HTML page, so ordinary pages keep blackbox's verdicts; small enough that a probe
 * costs at most a few tens of MB (the kept chunks, then the one joined copy RE2 reads) and that
 * RE2 scans it in tens of milliseconds (bench/regex-engine.ts).
 */
export const BODY_REGEX_DEFAULT_LIMIT = 10 * 1024 * 1024;

/** How much body is read, and how a body over it is reported. */
export interface BodyLimit {
  /** 0 means unlimited. */
  bytes: number;
  /** Whether the limit is BODY_REGEX_DEFAULT_LIMIT rather than the module's body_size_limit. */
  isRegexDefault: boolean;
}

/** The limit for one body: the module's body_size_limit, or the default cap when a regexp keeps it. */
export function bodyLimit(bodySizeLimit: number, keepBody: boolean): BodyLimit {
  if (bodySizeLimit > 0 || !keepBody) return { bytes: bodySizeLimit, isRegexDefault: false };
  return { bytes: BODY_REGEX_DEFAULT_LIMIT, isRegexDefault: true };
}

function tooLargeMessage(limit: BodyLimit, decompressed: boolean): string {
  const after = decompressed ? ' after decompression' : '';
  if (!limit.isRegexDefault) {
    return `body exceeds body_size_limit of ${limit.bytes} bytes${after}; stopped reading`;
  }
  const mib = limit.bytes / (1024 * 1024);
  return (
    `body exceeds ${mib} MiB${after}, the most vantage keeps in memory for the body regexps ` +
    `when body_size_limit is unset; stopped reading (set body_size_limit to allow more)`
  );
}

export class BodySink {
  /** Bytes after decompression. */
  bytes = 0;
  /** Bytes as received. */
  rawBytes = 0;
  private chunks: Buffer[] | undefined;
  private decoder: Transform | undefined;
  private waitingForDrain = false;
  private finished = false;

  constructor(
    private readonly compression: Compression,
    private readonly limit: BodyLimit,
    keepBody: boolean,
    private readonly flow: FlowControl,
    private readonly done: (err?: Error) => void,
  ) {
    this.chunks = keepBody ? [] : undefined;
  }

  write(chunk: Buffer): void {
    if (this.finished) return;
    this.rawBytes += chunk.length;
    if (this.compression === '' || this.compression === 'identity') {
      this.accept(chunk);
      return;
    }
    // Created on the first byte: an empty body (HEAD, 204, 304) is not a decoding error.
    this.decoder ??= this.startDecoder(chunk);
    if (this.decoder !== undefined && !this.decoder.write(chunk) && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.flow.pause();
      this.decoder.once('drain', () => {
        this.waitingForDrain = false;
        if (!this.finished) this.flow.resume();
      });
    }
  }

  /** The response ended: flush the decoder, then report. */
  end(): void {
    if (this.finished) return;
    if (this.decoder === undefined) this.finish();
    else this.decoder.end();
  }

  /**
   * The decompressed body as bytes, for the body regexps (empty unless constructed with keepBody).
   * Bytes, not a string: RE2 matches UTF-8 directly, so no UTF-16 copy of the body is made.
   */
  content(): Buffer {
    if (this.chunks === undefined) return Buffer.alloc(0);
    const whole = Buffer.concat(this.chunks, this.bytes);
    this.chunks = [whole]; // the pieces can go: the body is held once, not twice
    return whole;
  }

  destroy(): void {
    this.finished = true;
    this.decoder?.destroy();
  }

  private startDecoder(firstChunk: Buffer): Transform | undefined {
    const decoder = createDecoder(this.compression, firstChunk);
    if (decoder === undefined) return undefined;
    decoder.on('data', (out: Buffer) => this.accept(out));
    decoder.once('end', () => this.finish());
    decoder.once('error', (err: Error) =>
      this.finish(
        new ProbeError(
          'protocol_error',
          `cannot decode the body as ${this.compression}: ${err.message}`,
          'transfer',
        ),
      ),
    );
    return decoder;
  }

  private accept(chunk: Buffer): void {
    if (this.finished) return;
    this.bytes += chunk.length;
    if (this.limit.bytes > 0 && this.bytes > this.limit.bytes) {
      this.finish(
        new ProbeError('body_too_large', tooLargeMessage(this.limit, this.decoder !== undefined), 'transfer'),
      );
      return;
    }
    this.chunks?.push(chunk);
  }

  private finish(err?: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (err !== undefined) this.decoder?.destroy();
    this.done(err);
  }
}
