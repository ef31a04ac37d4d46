import {
  type ConfigSnapshot,
  isSecretKey,
  SECRET_MASK,
  type SecretKeyPattern,
  type ValidationIssue,
} from '@cfg/source';
import { codes } from '../http/errors.js';

/**
 * Refuses (422 `CFG_ERR_INVALID_CONFIG`, an issue at each field) a module config that sends the
 * mask back where a secret is: a client that GETs the config and PUTs it back with one field
 * changed would otherwise store `******` as the password. A secret is a value under a key matching
 * `keyPattern`, or one that came from a reference (`current.secretPaths`). The mask elsewhere is
 * just text.
 */
export function assertNoMaskedSecrets(
  current: ConfigSnapshot,
  name: string,
  body: Record<string, unknown>,
  keyPattern: SecretKeyPattern,
): void {
  const index = current.config.modules.findIndex((m) => m.name === name);
  const secretPaths = new Set(current.secretPaths ?? []);
  const issues: ValidationIssue[] = [];
  const visit = (value: unknown, path: string[], underSecretKey: boolean): void => {
    if (typeof value === 'string') {
      if (value !== SECRET_MASK) return;
      const pointer = `/modules/${index}/config${path.map((p) => `/${p.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`;
      if (underSecretKey || secretPaths.has(pointer))
        issues.push({
          path: ['modules', name, 'config', ...path].join('.'),
          message: `"${SECRET_MASK}" is the mask shown in place of a secret, not its value: send the value, or its reference (\${file:…}, \${env:…}), again`,
        });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      const secret = underSecretKey || (!Array.isArray(value) && isSecretKey(key, keyPattern));
      visit(item, [...path, key], secret);
    }
  };
  visit(body, [], false);
  if (issues.length === 0) return;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw codes.CFG_ERR_INVALID_CONFIG.with({ issues }, `${issues[0]!.path}: ${issues[0]!.message}${more}`);
}
