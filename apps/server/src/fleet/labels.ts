import { InvalidArgumentError } from 'commander';

/** The label name rule of @cfg/pg-store. */
const LABEL_NAME = /^[A-Za-z0-9._/-]{1,63}$/;
const MAX_LABELS = 32;
const MAX_VALUE = 255;

/**
 * `--label zone=a --label release=1.4` (repeatable) and `CFG_LABELS=zone=a,release=1.4`: each item is
 * `name=value`, names from `A-Z a-z 0-9 . _ / -`. Commander calls it once per item with the labels
 * so far; the environment variable arrives as one comma-separated string.
 */
export function collectLabels(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const labels = { ...previous };
  for (const item of value.split(',')) {
    if (item.trim() === '') continue;
    const at = item.indexOf('=');
    const name = (at === -1 ? item : item.slice(0, at)).trim();
    const labelValue = at === -1 ? '' : item.slice(at + 1).trim();
    if (at === -1 || !LABEL_NAME.test(name))
      throw new InvalidArgumentError(
        `expected name=value with a name of 1-63 characters from A-Z a-z 0-9 . _ / -, got "${item}"`,
      );
    if (labelValue.length > MAX_VALUE)
      throw new InvalidArgumentError(`label "${name}": at most ${MAX_VALUE} characters`);
    labels[name] = labelValue;
  }
  if (Object.keys(labels).length > MAX_LABELS) throw new InvalidArgumentError(`at most ${MAX_LABELS} labels`);
  return labels;
}
