/**
 * Edit distance (case-insensitive) where a swap of two neighbouring letters counts as one edit, as typing makes it
 * (`lsit` is one edit from `list`, `hepl` from `help`): Levenshtein plus adjacent transpositions (optimal string
 * alignment), O(|a|·|b|) with three rows.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let before = new Array<number>(t.length + 1).fill(0);
  let prev = new Array<number>(t.length + 1);
  let cur = new Array<number>(t.length + 1);
  for (let j = 0; j <= t.length; j++) prev[j] = j;
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) cur[j] = Math.min(cur[j], before[j - 2] + 1);
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[t.length];
}

/**
 * The candidate nearest to `input`, or undefined when nothing is close enough to be a plausible typo
 * (distance at most max(1, 40% of the input length)). Ties go to the first candidate.
 */
export function nearest(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(input.length * 0.4));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(input, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= limit ? best : undefined;
}

/** `; did you mean X?` or an empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const n = nearest(input, candidates);
  return n === undefined ? '' : `; did you mean ${n}?`;
}
