/**
 * The message of anything thrown (`throw 'text'` and `throw undefined` included): one home for what
 * every @cfg package and the server report about a failure.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
