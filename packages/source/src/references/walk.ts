import { isPlainObject } from '../plain-object.js';
import type { ValuePath } from './pointer.js';

interface Step {
  value: unknown;
  parent: Step | undefined;
  key: string | number;
}

/**
 * Calls `visit` for every string value under `root` (not for keys), in document order. Its path
 * is built only when asked for (`path()`), since most strings hold no reference. Iterative, so a
 * deep value a caller built by hand cannot overflow the stack. Only plain objects and arrays are
 * walked: everything a parse produces.
 */
export function forEachString(root: unknown, visit: (value: string, path: () => ValuePath) => void): void {
  const stack: Step[] = [{ value: root, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const { value } = step;
    if (typeof value === 'string') visit(value, () => _pathOf(step));
    else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: step, key: i });
    } else if (isPlainObject(value)) {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: value[key], parent: step, key });
      }
    }
  }
}

function _pathOf(step: Step): ValuePath {
  const path: (string | number)[] = [];
  for (let at: Step | undefined = step; at?.parent; at = at.parent) path.push(at.key);
  return path.reverse();
}
