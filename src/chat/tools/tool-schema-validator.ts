import Ajv, { ValidateFunction } from 'ajv';
import { withoutKeywords } from './tool-schema-keywords';
import type { DeclaredTool } from './tool-types';

/**
 * `$schema`/`$id` would send Ajv looking for meta-schemas or clash between tools; `pattern` is a
 * client-supplied regular expression we would run on model output (backtracking risk) and only ever
 * adds an error message, never a coercion.
 */
const NOT_COMPILED = new Set(['$schema', '$id', 'pattern', 'format']);

/**
 * Per request: compiles each tool's schema once, on first use, and checks arguments with coercion
 * (`"5"` → 5 for integers, 5 → `"5"` for strings, `"true"` → true) and removal of unknown properties
 * only where the schema says `additionalProperties: false`.
 */
export class ToolSchemaValidator {
  private readonly ajv = new Ajv({
    coerceTypes: true,
    removeAdditional: true,
    allErrors: true,
    strict: false,
    validateFormats: false,
    useDefaults: false,
    // Checking client schemas against the meta-schema costs ~15 ms per request; a schema Ajv cannot
    // compile is simply not enforced.
    validateSchema: false,
  });
  private readonly compiled = new Map<string, ValidateFunction | null>();

  /** Coerces `args` in place; returns readable errors (none when valid or the schema is unusable). */
  check(tool: DeclaredTool, args: Record<string, unknown>): string[] {
    const validate = this.validatorFor(tool);
    if (validate === null || validate(args)) return [];
    return (validate.errors ?? []).map(
      (error) => `${error.instancePath || '(arguments)'} ${error.message ?? 'is invalid'}`,
    );
  }

  private validatorFor(tool: DeclaredTool): ValidateFunction | null {
    const known = this.compiled.get(tool.name);
    if (known !== undefined) return known;
    let validate: ValidateFunction | null = null;
    if (tool.parameters !== null) {
      try {
        validate = this.ajv.compile(withoutKeywords(tool.parameters, NOT_COMPILED));
      } catch {
        // A schema Ajv cannot compile (remote $ref, invalid keyword values) is not enforced.
        validate = null;
      }
    }
    this.compiled.set(tool.name, validate);
    return validate;
  }
}
