/** RFC 6901 JSON Pointer for a list of segments: `['config', 'a/b', 0]` → `/config/a~1b/0`. */
export function toPointer(segments: readonly (string | number)[]): string {
  let pointer = '';
  for (const segment of segments) pointer += `/${_escape(String(segment))}`;
  return pointer;
}

// `~` first, so the `~1` written for `/` is not escaped again.
function _escape(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
