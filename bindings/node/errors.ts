// Node-style errors: the class Node uses for each code, with `code` and Node's message form.
import { inspect } from 'node:util';

export type ErrorClass = ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;

export function errorOf(code: string, message: string, Base: ErrorClass = Error): Error {
  const err = new Base(message) as Error & { code: string };
  err.code = code;
  // Node shows the code in the first stack line: "RangeError [ERR_…]: message".
  if (err.stack) err.stack = err.stack.replace(/^(\w+):/, `$1 [${code}]:`);
  return err;
}

/** Node's "Received …" tail of ERR_INVALID_ARG_TYPE messages. */
export function received(value: unknown): string {
  if (value === null || value === undefined) return `Received ${value}`;
  if (typeof value === 'function') return `Received function ${value.name}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name ? `Received an instance of ${name}` : `Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `Received type ${typeof value} (${shown})`;
}

export function invalidArgType(name: string, expected: string, value: unknown): Error {
  return errorOf('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be ${expected}. ${received(value)}`, TypeError);
}
