import { describe, expect, it } from 'vitest';
import { ASSET_PATTERN, BASKET_NAME_PATTERN, EXCHANGE_ID_PATTERN, QUOTE_PATTERN, SOURCE_PATTERN, SYMBOL_PATTERN } from '../../src/domain/patterns.js';

describe('name patterns', () => {
  it('symbols: an asset or a pair of them', () => {
    for (const s of ['BTC', 'eth', '1INCH', 'ETH/BTC', 'A'.repeat(20)]) expect(SYMBOL_PATTERN.test(s), s).toBe(true);
    for (const s of ['', 'BTC/', '/BTC', 'BTC-USD', 'A'.repeat(21), 'A/B/C']) expect(SYMBOL_PATTERN.test(s), s).toBe(false);
    expect(ASSET_PATTERN.test('BTC')).toBe(true);
    expect(ASSET_PATTERN.test('ETH/BTC')).toBe(false);
    expect(QUOTE_PATTERN.test('USDT')).toBe(true);
    expect(QUOTE_PATTERN.test('U')).toBe(false);
  });

  it('basket names: lowercase letters, digits and -', () => {
    for (const s of ['majors', 'l1-coins', 'a'.repeat(32)]) expect(BASKET_NAME_PATTERN.test(s), s).toBe(true);
    for (const s of ['', 'Majors', 'my_basket', 'a'.repeat(33)]) expect(BASKET_NAME_PATTERN.test(s), s).toBe(false);
  });

  it('sources: ccxt, csv or sim', () => {
    for (const s of ['ccxt:binance', 'csv:data/x.csv', 'sim:42']) expect(SOURCE_PATTERN.test(s), s).toBe(true);
    for (const s of ['kraken', 'ccxt:', 'ccxt:Binance', 'csv:', 'sim:x']) expect(SOURCE_PATTERN.test(s), s).toBe(false);
    expect(EXCHANGE_ID_PATTERN.test('binance')).toBe(true);
  });
});
