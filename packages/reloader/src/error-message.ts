/** The message of anything thrown (`throw 'text'` and `throw undefined` included). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
