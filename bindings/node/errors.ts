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
  const kind = name.includes('.') ? 'property' : 'argument'; // Node: "options.x" is a property
  return errorOf('ERR_INVALID_ARG_TYPE', `The "${name}" ${kind} must be ${expected}. ${received(value)}`, TypeError);
}

// The class Node gives each code the core can throw (the rest are plain Errors).
const CLASS_OF: Record<string, ErrorClass> = {
  ERR_INVALID_HTTP_TOKEN: TypeError, ERR_INVALID_CHAR: TypeError, ERR_HTTP2_INVALID_CONNECTION_HEADERS: TypeError,
  ERR_HTTP2_INVALID_PSEUDOHEADER: TypeError, ERR_HTTP2_HEADER_SINGLE_VALUE: TypeError, ERR_HTTP2_INVALID_HEADER_VALUE: TypeError,
  ERR_INVALID_ARG_TYPE: TypeError, ERR_INVALID_ARG_VALUE: TypeError, ERR_HTTP2_STATUS_INVALID: RangeError,
  ERR_HTTP2_INVALID_INFO_STATUS: RangeError, ERR_HTTP2_PING_LENGTH: RangeError, ERR_OUT_OF_RANGE: RangeError,
  ERR_HTTP2_INVALID_SETTING_VALUE: RangeError,
};

/** A core error (H2Error: code, message) as the error Node throws for that code. */
export function nodeError(err: unknown): unknown {
  const e = err as { code?: unknown; message?: string } | null;
  if (!e || typeof e.code !== 'string' || !(err instanceof Error) || err.constructor === (CLASS_OF[e.code] ?? Error)) return err;
  return errorOf(e.code, err.message, CLASS_OF[e.code] ?? Error);
}
