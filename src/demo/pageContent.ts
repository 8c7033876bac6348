/**
 * Content of the Lighthouse demo pages, shared by the demo router and the tests:
 *
 *   light   a tiny text page: fast on any throttling profile (LCP well under 2.5 s)
 *   heavy   700 ms of blocking script in <head> (delays FCP), 500 ms in a timer after the first
 *           paint and 400 ms after load (what TBT counts), ~1.5 MB of incompressible PNGs, and a
 *           late layout shift (a 300 px block inserted above the content 1 s after parsing)
 *
 * Pure functions (HTML strings, PNG bytes), deterministic, so every run audits the same bytes.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** Deterministic pseudo-random bytes (xorshift32): the same page bytes in every run and every process. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A valid RGB PNG of random pixels, deflated with level 0 (stored blocks): it cannot be compressed, so
 * its transfer size is ~width x height x 3 bytes whatever the server or Lighthouse does.
 */
export function randomPng(width: number, height: number, seed = 1): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour RGB
  // compression 0, filter 0, interlace 0: already zero
  const rowBytes = width * 3 + 1;
  const raw = noise(rowBytes * height, seed);
  for (let y = 0; y < height; y += 1) raw[y * rowBytes] = 0; // filter type "None" for each row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: 0 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const HEAD =
  '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">';

export function lightPageHtml(title = 'Light page'): string {
  return `<!doctype html><html lang="en"><head>${HEAD}<title>${title}</title>
<meta name="description" content="A small, fast page."></head>
<body><h1>${title}</h1><p>Plain text: no script of its own, no images, no web fonts.</p></body></html>`;
}

export function trivialPageHtml(): string {
  return `<!doctype html><html lang="en"><head>${HEAD}<title>t</title></head><body><p>ok</p></body></html>`;
}

export interface HeavyPageOptions {
  /** Busy loop in a <head> script, blocking parsing and the main thread. */
  blockingMs?: number;
  /** Busy loop in a timer shortly after parsing, i.e. after the first paint: what TBT counts. */
  afterPaintBlockingMs?: number;
  /** Busy loop after the load event. */
  afterLoadBlockingMs?: number;
  /** When the layout shift happens, after the end of parsing. */
  shiftDelayMs?: number;
  /** Height of the block inserted above the content. */
  shiftPx?: number;
  /** Image URLs to embed. */
  images?: readonly string[];
}

export function heavyPageHtml(options: HeavyPageOptions = {}): string {
  const blockingMs = options.blockingMs ?? 700;
  const afterPaintMs = options.afterPaintBlockingMs ?? 500;
  const afterLoadMs = options.afterLoadBlockingMs ?? 400;
  const shiftDelayMs = options.shiftDelayMs ?? 1000;
  const shiftPx = options.shiftPx ?? 300;
  const images = options.images ?? [];
  const busy = (ms: number) => `var end=performance.now()+${ms};while(performance.now()<end){}`;
  const imgs = images
    .map((src, i) => `<img src="${src}" width="512" height="512" alt="random pixels ${i + 1}">`)
    .join('\n');
  return `<!doctype html><html lang="en"><head>${HEAD}<title>Heavy page</title>
<meta name="description" content="A deliberately slow page.">
<script>${busy(blockingMs)}</script>
<style>body{font-family:sans-serif;margin:0 8px}img{display:block;max-width:100%;height:auto}</style>
</head><body>
<main id="content"><h1>Heavy page</h1>
<p>Blocking script in the head, large incompressible images, and a late layout shift.</p>
${imgs}
<p>End of content.</p></main>
<script>
setTimeout(function(){${busy(afterPaintMs)}},250);
setTimeout(function(){var d=document.createElement('div');d.style.height='${shiftPx}px';d.style.background='#fc6';
d.textContent='Late banner';document.body.insertBefore(d,document.body.firstChild);},${shiftDelayMs});
addEventListener('load',function(){${busy(afterLoadMs)}});
</script>
</body></html>`;
}
