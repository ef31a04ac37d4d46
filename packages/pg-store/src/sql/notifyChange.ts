/**
 * The `pg_notify` call for a change of the row named `doc` in a query. The payload is JSON
 * `{op, key, version, hash}`; PostgreSQL delivers it only when the transaction commits.
 */
export function notifyChange(channelParam: string, opParam: string): string {
  return `pg_notify(${channelParam}, json_build_object(
    'op', ${opParam}::text, 'key', doc.key, 'version', doc.version, 'hash', doc.hash)::text)`;
}
