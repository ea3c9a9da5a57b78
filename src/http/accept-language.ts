/**
 * Accept-Language in a canonical form for Vary (RFC 9110 §12.5.4, §12.4.2): two spellings get one
 * variant when every q-value-respecting origin must answer them alike. Ranges are sorted by q-value,
 * highest first, `q=1` (the default) is dropped and other q-values lose trailing zeros, so
 * `de;q=1.0, fr;q=0.500` ≡ `fr;q=0.5, de`. Ranges with equal q-values keep the client's order:
 * HTTP gives ties no meaning, but the usual negotiators (Express's `negotiator`, Django, Rails)
 * break them by order, so merging `en, de` with `de, en` could serve one user the other's language.
 * A member with any other parameter or an invalid q-value leaves the list as it came.
 *
 * Input members are already trimmed, lowercased and tight around `;` and `=` (vary.ts).
 */

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

interface Range {
  readonly range: string;
  /** q-value in thousandths (RFC 9110 §12.4.2 allows three decimals), so comparisons are exact. */
  readonly weight: number;
}

/** The members in canonical order and spelling; the input itself when it cannot be read safely. */
export function canonicalLanguageRanges(members: string[]): string[] {
  if (members.length < 2 && !members.some((m) => m.includes(';'))) return members;
  const ranges: Range[] = [];
  for (const member of members) {
    const range = parseMember(member);
    if (range === undefined) return members;
    ranges.push(range);
  }
  // Array.prototype.sort is stable: equal weights keep the client's order.
  ranges.sort((a, b) => b.weight - a.weight);
  return ranges.map(formatRange);
}

function parseMember(member: string): Range | undefined {
  const semicolon = member.indexOf(';');
  if (semicolon === -1) return { range: member, weight: 1000 };
  const param = member.slice(semicolon + 1);
  if (!param.startsWith('q=')) return undefined;
  const q = param.slice(2);
  if (!QVALUE.test(q)) return undefined;
  return { range: member.slice(0, semicolon), weight: Math.round(Number(q) * 1000) };
}

function formatRange({ range, weight }: Range): string {
  if (weight === 1000) return range;
  if (weight === 0) return `${range};q=0`;
  return `${range};q=0.${String(weight).padStart(3, '0').replace(/0+$/, '')}`;
}
