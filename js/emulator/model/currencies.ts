/**
 * @module emulator/model/currencies
 * The company's currencies (`GET /v1/currencies`): the defaults, a common subset of ISO 4217 with their decimal
 * points and symbols (the real list is longer), and the seeds that add more, or custom non-ISO ones. Deals and
 * monetary custom fields accept only the codes of active currencies.
 */

import type { CurrencyRecord } from './records';

type CurrencyDef = [code: string, name: string, decimalPoints: number, symbol: string];

const CURRENCIES: CurrencyDef[] = [
  ['AED', 'United Arab Emirates Dirham', 2, 'AED'], ['ARS', 'Argentine Peso', 2, 'ARS'], ['AUD', 'Australian Dollar', 2, 'A$'],
  ['BGN', 'Bulgarian Lev', 2, 'BGN'], ['BHD', 'Bahraini Dinar', 3, 'BHD'], ['BRL', 'Brazilian Real', 2, 'R$'],
  ['CAD', 'Canadian Dollar', 2, 'CA$'], ['CHF', 'Swiss Franc', 2, 'CHF'], ['CLP', 'Chilean Peso', 0, 'CLP'],
  ['CNY', 'Chinese Yuan', 2, 'CN¥'], ['COP', 'Colombian Peso', 2, 'COP'], ['CZK', 'Czech Koruna', 2, 'Kč'],
  ['DKK', 'Danish Krone', 2, 'kr'], ['EGP', 'Egyptian Pound', 2, 'EGP'], ['EUR', 'Euro', 2, '€'],
  ['GBP', 'British Pound', 2, '£'], ['HKD', 'Hong Kong Dollar', 2, 'HK$'], ['HUF', 'Hungarian Forint', 2, 'Ft'],
  ['IDR', 'Indonesian Rupiah', 2, 'Rp'], ['ILS', 'Israeli New Shekel', 2, '₪'], ['INR', 'Indian Rupee', 2, '₹'],
  ['ISK', 'Icelandic Krona', 0, 'kr'], ['JPY', 'Japanese Yen', 0, '¥'], ['KES', 'Kenyan Shilling', 2, 'KSh'],
  ['KRW', 'South Korean Won', 0, '₩'], ['KWD', 'Kuwaiti Dinar', 3, 'KWD'], ['MXN', 'Mexican Peso', 2, 'MX$'],
  ['MYR', 'Malaysian Ringgit', 2, 'RM'], ['NGN', 'Nigerian Naira', 2, '₦'], ['NOK', 'Norwegian Krone', 2, 'kr'],
  ['NZD', 'New Zealand Dollar', 2, 'NZ$'], ['PHP', 'Philippine Peso', 2, '₱'], ['PLN', 'Polish Zloty', 2, 'zł'],
  ['RON', 'Romanian Leu', 2, 'lei'], ['SAR', 'Saudi Riyal', 2, 'SAR'], ['SEK', 'Swedish Krona', 2, 'kr'],
  ['SGD', 'Singapore Dollar', 2, 'S$'], ['THB', 'Thai Baht', 2, '฿'], ['TRY', 'Turkish Lira', 2, '₺'],
  ['UAH', 'Ukrainian Hryvnia', 2, '₴'], ['USD', 'US Dollar', 2, '$'], ['VND', 'Vietnamese Dong', 0, '₫'],
  ['ZAR', 'South African Rand', 2, 'R'],
];

/** The default currency list: ids 1.. in code order, all active, none custom. */
export function defaultCurrencies(): CurrencyRecord[] {
  return CURRENCIES.map(([code, name, decimal_points, symbol], i) => ({
    id: i + 1, code, name, decimal_points, symbol, active_flag: true, is_custom_flag: false,
  }));
}

/** A currency to add: `code` and `name` at least; `is_custom_flag` defaults to true (a company's own currency). */
export type CurrencySeed = Partial<CurrencyRecord> & { code: string; name: string };

/** The list with `seed` added, or replacing the currency of the same code (which keeps its id). */
export function withCurrency(list: readonly CurrencyRecord[], seed: CurrencySeed): CurrencyRecord[] {
  const existing = list.find((c) => c.code === seed.code);
  const currency: CurrencyRecord = {
    id: existing?.id ?? 1 + Math.max(0, ...list.map((c) => c.id)), code: seed.code, name: seed.name,
    decimal_points: seed.decimal_points ?? 2, symbol: seed.symbol ?? seed.code, active_flag: seed.active_flag ?? true,
    is_custom_flag: seed.is_custom_flag ?? true,
  };
  return [...list.filter((c) => c.code !== seed.code), currency].sort((a, b) => a.id - b.id);
}
