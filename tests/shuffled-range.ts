// 0 … n−1 in a seeded random order: test inputs without ties, so an argmax is the same on every
// backend and stays put under small finite-difference steps.
export function shuffledRange(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
