/** A path in a config: keys and list indexes from the root, e.g. `['modules', 0, 'config', 'password']`. */
export type ValuePath = readonly (string | number)[];

/**
 * RFC 6901 JSON Pointer of a path: `['modules', 0, 'a/b']` → `/modules/0/a~1b`. The same form
 * `@cfg/diff` uses for paths inside a module, so the two can be joined (`/modules/3` + `/config/x`).
 */
export function toPointer(path: ValuePath): string {
  let pointer = '';
  for (const segment of path) pointer += `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`;
  return pointer;
}
