/**
 * The log line for an error a watcher or poller reported. A config that does not parse is a rejected
 * config (`config rejected: file:line:col: …`), the same news as a reload that fails validation, not
 * a fault of the watcher; anything else (an unreadable file, a lost database) is the source's trouble.
 */
export function sourceErrorLine(kind: string, error: Error): string {
  const what = (error as { code?: unknown }).code === 'CFG_PARSE' ? 'config rejected' : `${kind} error`;
  return `${what}: ${error.message}; still serving the last good config`;
}
