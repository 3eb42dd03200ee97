import { createCanvas, loadImage } from '@napi-rs/canvas';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeOpaquePng } from '../../src/chart/png-encode.js';

/** The chunks of a PNG: type, data and whether its CRC is right (checked with the CRC-32 zlib computes, when Node has it). */
function chunks(png: Buffer): { type: string; data: Buffer; crcOk: boolean | undefined }[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const crc32 = (zlib as { crc32?: (b: Buffer) => number }).crc32;
  const out = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    const crc = png.readUInt32BE(at + 8 + length);
    out.push({ type, data, crcOk: crc32 ? crc32(png.subarray(at + 4, at + 8 + length)) === crc : undefined });
    at += 12 + length;
  }
  return out;
}

/** Decoded by Skia (another PNG decoder than ours, which has none): RGBA bytes. */
async function decode(png: Buffer): Promise<{ width: number; height: number; rgba: Uint8ClampedArray }> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, rgba: ctx.getImageData(0, 0, img.width, img.height).data };
}

describe('encodeOpaquePng', () => {
  it('a 2×2 image by hand: RGB, 8 bits, rows filtered None then Up, and the pixels back', async () => {
    // red, green / blue, white
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
    const png = encodeOpaquePng(rgba, 2, 2)!;
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    for (const c of cs) expect(c.crcOk).not.toBe(false);
    expect([...cs[0].data]).toEqual([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
    // row 0: filter 0, the bytes as they are; row 1: filter 2 (Up), each byte minus the one above, mod 256
    expect([...zlib.inflateSync(cs[1].data)]).toEqual([0, 255, 0, 0, 0, 255, 0, 2, 1, 0, 255, 255, 0, 255]);
    const back = await decode(png);
    expect([back.width, back.height]).toEqual([2, 2]);
    expect([...back.rgba]).toEqual([...rgba]);
  });

  it('a drawn chart-like canvas comes back pixel for pixel, at about the size of Skia’s own PNG', async () => {
    const c = createCanvas(300, 170);
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#1b1d23';
    ctx.fillRect(0, 0, 300, 170);
    ctx.strokeStyle = '#4e9af1';
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (let x = 0; x < 300; x += 3) ctx.lineTo(x, 85 + 60 * Math.sin(x / 17));
    ctx.stroke();
    ctx.fillStyle = '#f0f0f0';
    ctx.font = '14px sans-serif';
    ctx.fillText('BTC / ETH ρ +0.83', 10, 20);
    const { data } = ctx.getImageData(0, 0, 300, 170);
    const png = encodeOpaquePng(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 300, 170)!;
    const back = await decode(png);
    expect(Buffer.from(back.rgba).equals(Buffer.from(data))).toBe(true);
    expect(png.length).toBeLessThan(2 * (await c.encode('png')).length);
  });

  it('undefined for pixels that are not opaque (the caller keeps alpha with another encoder); sizes that do not match are refused', () => {
    const rgba = new Uint8Array(3 * 2 * 4).fill(255);
    expect(encodeOpaquePng(rgba, 3, 2)).toBeInstanceOf(Buffer);
    rgba[4 * 4 + 3] = 128; // pixel (1, 1)
    expect(encodeOpaquePng(rgba, 3, 2)).toBeUndefined();
    expect(() => encodeOpaquePng(rgba, 4, 2)).toThrow(/expected 32 bytes of RGBA pixels, got 24/);
    expect(() => encodeOpaquePng(new Uint8Array(0), 0, 0)).toThrow(RangeError);
  });
});
