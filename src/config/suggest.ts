/**
 * "Did you mean …?" for unknown keys, enum values, commands and flags: the closest candidate by
 * edit distance (adjacent swaps count as one edit, the usual typo), only when it is close enough
 * that the suggestion is more likely help than noise.
 */

export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  // camelCase written where snake_case is expected ("maxBytes") is the commonest near-miss.
  const snake = input.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === snake) return candidate;
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(needle.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...Array.from({ length: b.length }, (_, j) => (i === 0 ? j + 1 : 0))]);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(cell(rows, i - 1, j) + 1, cell(rows, i, j - 1) + 1, cell(rows, i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, cell(rows, i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = value;
    }
  }
  return cell(rows, a.length, b.length);
}

function cell(rows: number[][], i: number, j: number): number {
  return rows[i]?.[j] ?? 0;
}

/** Appends ` (did you mean "x"?)` when there is a close candidate. */
export function didYouMean(input: string, candidates: Iterable<string>, quote = '"'): string {
  const match = suggest(input, candidates);
  return match === undefined ? '' : ` (did you mean ${quote}${match}${quote}?)`;
}
