/**
 * True when `value` holds objects or arrays nested more than `max` levels deep. Iterative, so a
 * hostile body cannot overflow the stack here — as it would in the YAML edit and the checks that
 * follow, which recurse (found by the HTTP fuzz: a 1,000-level body was a 500).
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}
