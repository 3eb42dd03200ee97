/**
 * The names corrwatch accepts, in one place: the config schema, the command parser, the commands and the market
 * sources all check symbols, basket names and source specs with these patterns, and say what they expect with
 * the hints beside them.
 */

/** One asset: 1-20 letters or digits (`BTC`, `eth`). Compare upper-cased where case does not matter. */
export const ASSET_PATTERN = /^[A-Za-z0-9]{1,20}$/;

/** A market symbol: an asset, or a pair `BASE/QUOTE` of two (`BTC`, `ETH/BTC`); upper-cased once accepted. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9]{1,20}(\/[A-Za-z0-9]{1,20})?$/;
export const SYMBOL_HINT = 'a symbol like BTC or ETH/BTC';

/** A basket name: 1-32 lowercase letters, digits or `-` (`majors`, `l1-coins`). */
export const BASKET_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;
export const BASKET_NAME_HINT = '1-32 lowercase letters, digits or -';

/** The quote currency symbols are priced in (config `market.quote`): 2-10 letters or digits (`USDT`). */
export const QUOTE_PATTERN = /^[A-Za-z0-9]{2,10}$/;

/** A ccxt exchange id (`binance`, `kraken`): lowercase letters and digits. */
export const EXCHANGE_ID_PATTERN = /^[a-z0-9]+$/;

/** A market source spec: `ccxt:<exchange id>` (EXCHANGE_ID_PATTERN), `csv:<path>` or `sim:<whole-number seed>`. */
export const SOURCE_PATTERN = /^(ccxt:[a-z0-9]+|csv:.+|sim:\d+)$/;
export const SOURCE_HINT = 'ccxt:<exchange>, csv:<path> or sim:<seed>';
