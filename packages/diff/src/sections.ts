import type { AppConfig } from './config-types.js';
import { isEmpty, isEqualOrBothEmpty } from './equal.js';

/**
 * The top-level keys other than `modules` whose content differs, sorted. Every key counts, known or
 * not: there is no list of sections to forget. A key present on one side only counts as changed,
 * except that a missing key, `undefined`, `null` and `{}` all mean "empty section" and are equal to
 * each other (YAML's `workflows:` with nothing under it is `null`, and means no workflows). `[]` is
 * not empty in this sense: it is a value, like `0` or `""`. Deep equality ignores object key order
 * and `undefined` members; array order matters.
 */
export function changedSections(previous: AppConfig, next: AppConfig): string[] {
  const changed: string[] = [];
  for (const key of Object.keys(previous)) {
    if (key === 'modules') continue;
    const after = Object.hasOwn(next, key) ? next[key] : undefined;
    if (!isEqualOrBothEmpty(previous[key], after)) changed.push(key);
  }
  for (const key of Object.keys(next)) {
    if (key !== 'modules' && !Object.hasOwn(previous, key) && !isEmpty(next[key])) changed.push(key);
  }
  return changed.sort();
}
