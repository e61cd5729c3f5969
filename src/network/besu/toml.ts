/**
 * A writer for the flat TOML that Besu's `config.toml` and `permissions_config.toml` use: `key=value`
 * lines with strings, integers, booleans and arrays of strings (TOML 1.0 §Key/Value Pair, §String,
 * §Integer, §Boolean, §Array). Comment lines and blank lines separate groups. Nothing nested.
 */
import { invalid } from '../../shared/errors.ts';

export type TomlValue = string | number | boolean | readonly string[];
/** A key/value pair, a `# comment` line, or a blank line (`''`). */
export type TomlLine = readonly [key: string, value: TomlValue] | `# ${string}` | '';

export function toToml(lines: readonly TomlLine[]): string {
  return `${lines.map((line) => (typeof line === 'string' ? line : `${bareKey(line[0])}=${tomlValue(line[1], line[0])}`)).join('\n')}\n`;
}

function bareKey(key: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) throw invalid(`TOML key "${key}" must be a bare key (letters, digits, - and _)`);
  return key;
}

function tomlValue(value: TomlValue, key: string): string {
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalid(`TOML value of ${key} must be an integer, got ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return tomlString(value, key);
  return `[${value.map((v) => tomlString(v, key)).join(',')}]`;
}

/** A TOML basic string. JSON string escapes are TOML escapes; control characters other than tab are refused. */
function tomlString(s: string, key: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(s)) throw invalid(`TOML value of ${key} contains a control character`);
  return JSON.stringify(s);
}
