import { deflateSync } from 'node:zlib';

/**
 * A PNG (ISO/IEC 15948, W3C PNG 2nd ed.) of an opaque RGBA pixel buffer, made for speed: 8-bit RGB without alpha,
 * every row filtered with "Up" (the difference from the row above, which is mostly zero on a chart's flat areas and
 * horizontal lines), compressed by node:zlib at level 1.
 *
 * Why our own: a chart answer's CPU was about two thirds PNG encoding (Skia's encoder in @napi-rs/canvas, which takes
 * no compression setting and tries harder than a chat image needs), and the chat burst of issue 11 is CPU-bound. The
 * libraries that encode PNG either run deflate in JavaScript (fast-png, UPNG.js: pako) or bring a second native image
 * stack (sharp). Measured in `npm run bench` (bench/charts.ts): 0.44–0.47 times Skia's time, for a file 4–18%
 * larger. Pixels must be opaque (the charts fill their background): undefined when one is not (the caller
 * then uses an encoder that keeps alpha).
 */
export function encodeOpaquePng(rgba: Uint8Array, width: number, height: number): Buffer | undefined {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`a PNG of ${width}×${height} pixels cannot be made`);
  if (rgba.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} bytes of RGBA pixels, got ${rgba.length}`);
  const stride = width * 3 + 1;
  const rows = Buffer.allocUnsafe(stride * height);
  const rowBytes = width * 4;
  for (let y = 0; y < height; y++) {
    let d = y * stride;
    rows[d++] = y === 0 ? 0 : 2; // None for the first row (nothing above it), Up after
    let s = y * rowBytes;
    if (y === 0) {
      for (let x = 0; x < width; x++, s += 4) {
        if (rgba[s + 3] !== 255) return undefined;
        rows[d++] = rgba[s];
        rows[d++] = rgba[s + 1];
        rows[d++] = rgba[s + 2];
      }
    } else {
      for (let x = 0, p = s - rowBytes; x < width; x++, s += 4, p += 4) {
        if (rgba[s + 3] !== 255) return undefined;
        rows[d++] = (rgba[s] - rgba[p]) & 255;
        rows[d++] = (rgba[s + 1] - rgba[p + 1]) & 255;
        rows[d++] = (rgba[s + 2] - rgba[p + 2]) & 255;
      }
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour (RGB)
  // compression 0 (deflate), filter method 0 (adaptive, per row), interlace 0 (none): bytes 10-12 stay 0
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Length, type, data, CRC-32 of type and data (the PNG chunk layout). */
function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

/** CRC-32 (ISO 3309, the polynomial PNG and zlib use) of bytes [from, to). node:zlib has crc32 only from Node 20.15. */
function crc32(bytes: Uint8Array, from: number, to: number): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
