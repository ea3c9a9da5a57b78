/**
 * HTTP-date (RFC 9110 §5.6.7). Parses the preferred IMF-fixdate on a fixed-position fast path and
 * the two obsolete forms (RFC 850, asctime) with strict patterns. Date.parse is not used: it is
 * lenient in engine-specific ways and would turn garbage Expires values into real times.
 * Month, weekday and zone names are matched case-insensitively (RFC 9111 §4.2: "a cache recipient
 * SHOULD match the field value case-insensitively", though HTTP-date is defined case-sensitive);
 * the weekday is not checked against the date, as recipients are asked to be robust.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SHORT_DAYS = new Set(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const LONG_DAYS = new Set(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);

// Sunday, 06-Nov-94 08:49:37 GMT
const RFC850 = /^([A-Za-z]+), (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) [Gg][Mm][Tt]$/;
// Sun Nov  6 08:49:37 1994
const ASCTIME = /^([A-Za-z]{3}) ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

const IMF_FIXDATE_LENGTH = 29;
const MS_PER_50_YEARS = 50 * 365.25 * 86_400_000;
/** Without a `now`, two-digit RFC 850 years pivot on 2000: 00–49 → 20xx, 50–99 → 19xx. */
const DEFAULT_PIVOT = Date.UTC(2000, 0, 1);

/**
 * Milliseconds since the epoch, or undefined for anything that is not one of the three forms or
 * names an impossible date/time. `now` (ms) applies the RFC 850 two-digit-year rule: a year more
 * than 50 years in the future means the most recent past year with those digits.
 */
export function parseHttpDate(value: string | undefined, now?: number): number | undefined {
  if (value === undefined) return undefined;
  const s = value.trim();
  if (s.length === IMF_FIXDATE_LENGTH && s.charCodeAt(3) === 0x2c) return parseImfFixdate(s);
  const rfc850 = RFC850.exec(s);
  if (rfc850 !== null) return parseRfc850(rfc850, now ?? DEFAULT_PIVOT);
  const asctime = ASCTIME.exec(s);
  if (asctime !== null) return parseAsctime(asctime);
  return undefined;
}

/** IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function formatHttpDate(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`formatHttpDate: not a finite time: ${ms}`);
  // V8's toUTCString is exactly IMF-fixdate for years 0–9999.
  return new Date(ms).toUTCString();
}

// Sun, 06 Nov 1994 08:49:37 GMT
// 0123456789012345678901234567
function parseImfFixdate(s: string): number | undefined {
  if (!SHORT_DAYS.has(s.slice(0, 3).toLowerCase())) return undefined;
  if (s[4] !== ' ' || s[7] !== ' ' || s[11] !== ' ' || s[16] !== ' ' || s[19] !== ':' || s[22] !== ':'
    || s[25] !== ' ' || s.slice(26).toUpperCase() !== 'GMT') return undefined;
  return build(
    digits(s, 12, 4), monthIndex(s.slice(8, 11)), digits(s, 5, 2),
    digits(s, 17, 2), digits(s, 20, 2), digits(s, 23, 2),
  );
}

function parseRfc850(m: RegExpExecArray, now: number): number | undefined {
  if (!LONG_DAYS.has(m[1]!.toLowerCase())) return undefined;
  const year = Math.floor(new Date(now).getUTCFullYear() / 100) * 100 + Number(m[4]);
  const month = monthIndex(m[3]!);
  const [day, hour, minute, second] = [Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])];
  const candidate = build(year, month, day, hour, minute, second);
  if (candidate === undefined || candidate <= now + MS_PER_50_YEARS) return candidate;
  return build(year - 100, month, day, hour, minute, second);
}

function parseAsctime(m: RegExpExecArray): number | undefined {
  if (!SHORT_DAYS.has(m[1]!.toLowerCase())) return undefined;
  return build(Number(m[7]), monthIndex(m[2]!), Number(m[3]!.trim()), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** Rejects impossible fields instead of letting Date.UTC roll 31 Feb over into March. */
function build(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  // Written as positive checks so a NaN field (non-digit) fails every one of them.
  const valid = year >= 0 && month >= 0 && day >= 1 && day <= daysInMonth(year, month)
    // second 60 is a leap second (RFC 5322); it lands on the next minute like any UTC clock.
    && hour <= 23 && minute <= 59 && second <= 60;
  if (!valid) return undefined;
  const ms = Date.UTC(year, month, day, hour, minute, second);
  // Date.UTC maps years 0–99 to 1900–1999; set the real year explicitly for those.
  return year < 100 ? new Date(ms).setUTCFullYear(year) : ms;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 1 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month] ?? 0;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function monthIndex(name: string): number {
  return MONTHS.indexOf(name.toLowerCase());
}

/** Fixed-width decimal at s[start..start+width); NaN when any character is not a digit. */
function digits(s: string, start: number, width: number): number {
  let n = 0;
  for (let i = start; i < start + width; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}
