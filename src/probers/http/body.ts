/**
 * Reads a response body the way blackbox_exporter does: decompressed with the module's `compression`
 * (blindly, whatever Content-Encoding says: the module states what the server must send), limited by
 * `body_size_limit` *after* decompression, counted for probe_http_uncompressed_body_length, and kept
 * in memory only when a body regexp needs it.
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

export class BodySink {
  /** Bytes after decompression. */
  bytes = 0;
  /** Bytes as received. */
  rawBytes = 0;
  private readonly chunks: Buffer[] | undefined;
  private decoder: Transform | undefined;
  private waitingForDrain = false;
  private finished = false;

  constructor(
    private readonly compression: Compression,
    /** 0 means unlimited. */
    private readonly limit: number,
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

  /** The body text, for the body regexps (only when constructed with keepBody). */
  text(): string {
    return this.chunks === undefined ? '' : Buffer.concat(this.chunks, this.bytes).toString('utf8');
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
    if (this.limit > 0 && this.bytes > this.limit) {
      this.finish(
        new ProbeError(
          'body_too_large',
          `body exceeds body_size_limit of ${this.limit} bytes${this.decoder ? ' after decompression' : ''}; stopped reading`,
          'transfer',
        ),
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
