import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { withoutKeywords } from '../tools/tool-schema-keywords';
import type { ResponseFormat } from './response-format';

/** `problem` completes "Your reply was not accepted because …" (see `structuredOutputCorrection`). */
export type StructuredCheck = { ok: true } | { ok: false; problem: string };

/**
 * As for tool arguments: `$schema`/`$id` would send Ajv looking for meta-schemas or remote documents;
 * `pattern` is a client-supplied regular expression we would run on model output (backtracking risk);
 * `format` is not checked anyway (`validateFormats: false`), dropping it keeps unknown formats from
 * failing the compilation.
 */
const NOT_COMPILED = new Set(['$schema', '$id', 'pattern', 'format']);

/** Ajv errors named in a problem; the rest are counted. */
const MAX_ERRORS = 5;
/** Upper bound of `problem`, in UTF-16 units. */
export const MAX_PROBLEM_CHARS = 500;
/** A path or property name taken from the reply is cut to this, so the reply cannot fill the problem. */
const MAX_NAME_CHARS = 64;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function failed(problem: string): StructuredCheck {
  return { ok: false, problem: clip(problem, MAX_PROBLEM_CHARS) };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * V8's parse errors quote the start of the input (`Unexpected token 'h', "hello" is not valid JSON`);
 * the quote is dropped so the problem never echoes the reply.
 */
function parseMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, ".*" is not valid JSON$|, ".*"\.\.\. is not valid JSON$/s, '') || 'invalid JSON';
}

function describeError(error: ErrorObject): string {
  const path = clip(error.instancePath === '' ? '(root)' : error.instancePath, MAX_NAME_CHARS);
  let message = error.message ?? 'is invalid';
  const extra = (error.params as { additionalProperty?: unknown }).additionalProperty;
  if (error.keyword === 'additionalProperties' && typeof extra === 'string') {
    message += ` ('${clip(extra, MAX_NAME_CHARS)}')`;
  }
  return `${path} ${message}`;
}

/**
 * Checks a finished answer (after `JsonFenceStripper`) against the requested format. `json_object`
 * wants a plain object; `json_schema` wants any JSON value that the schema accepts. The text is checked
 * as the client's parser will see it: no type coercion, no removal of unknown properties.
 *
 * `strict: false` changes nothing here: we validate either way, because a reply that does not match
 * the schema is just as useless to the client. A schema Ajv cannot compile (a remote `$ref`, invalid
 * keyword values) is not enforced: only the JSON parse is, as if no schema had been given.
 */
export class StructuredOutputValidator {
  /** undefined until first needed; null when there is no schema or Ajv could not compile it. */
  private validate: ValidateFunction | null | undefined;

  constructor(private readonly format: ResponseFormat) {}

  check(text: string): StructuredCheck {
    if (text.trim() === '') return failed('it is empty');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return failed(`it is not valid JSON (${parseMessage(error)})`);
    }
    if (this.format.type === 'json_object') {
      const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
      return isObject ? { ok: true } : failed(`it is ${kindOf(value)}, not a JSON object`);
    }
    return this.checkSchema(value);
  }

  private checkSchema(value: unknown): StructuredCheck {
    const validate = this.validator();
    if (validate === null) return { ok: true };
    let valid: boolean;
    try {
      valid = validate(value) === true;
    } catch {
      // Only a runaway recursion (a deeply nested reply under a recursive schema) gets here; such a
      // reply is left to the client rather than failing the request.
      return { ok: true };
    }
    if (valid) return { ok: true };
    const errors = validate.errors ?? [];
    const named = errors.slice(0, MAX_ERRORS).map(describeError).join('; ');
    const more = errors.length > MAX_ERRORS ? ` (and ${errors.length - MAX_ERRORS} more)` : '';
    return failed(`it does not match the schema: ${named || 'invalid'}${more}`);
  }

  private validator(): ValidateFunction | null {
    if (this.validate !== undefined) return this.validate;
    this.validate = null;
    if (this.format.type === 'json_schema' && this.format.schema !== null) {
      const ajv = new Ajv({
        allErrors: true,
        strict: false,
        validateFormats: false,
        validateSchema: false,
        coerceTypes: false,
        removeAdditional: false,
        useDefaults: false,
      });
      try {
        this.validate = ajv.compile(withoutKeywords(this.format.schema, NOT_COMPILED));
      } catch {
        // Not enforced: see the class comment.
        this.validate = null;
      }
    }
    return this.validate;
  }
}
