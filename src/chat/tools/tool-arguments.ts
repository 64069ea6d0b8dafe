import type { ParsedInvoke, ParsedParameter } from './tool-markup-events';
import { declaredTypes, isStringSchema, propertySchema } from './tool-schema-keywords';
import type { JsonSchema, ToolKind } from './tool-types';

export type ArgumentsResult =
  | { ok: true; args: Record<string, unknown>; repeated: string[] }
  /** A `string="false"` value that is not JSON, even after the small repairs. */
  | { ok: false; parameter: string };

type JsonParse = { ok: true; value: unknown } | { ok: false };

/** A raw value: the CDATA body as is, else minus exactly one leading and one trailing newline. */
export function rawValue(parameter: ParsedParameter): string {
  if (parameter.cdata) return parameter.value;
  let value = parameter.value;
  if (value.startsWith('\r\n')) value = value.slice(2);
  else if (value.startsWith('\n')) value = value.slice(1);
  if (value.endsWith('\r\n')) value = value.slice(0, -2);
  else if (value.endsWith('\n')) value = value.slice(0, -1);
  return value;
}

/** JSON, then JSON after repairing stray backslashes (`C:\path`, `\d`) and trailing commas. */
export function parseLenientJson(text: string): JsonParse {
  const trimmed = text.trim();
  for (const candidate of [trimmed, repairJson(trimmed)]) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch {
      // try the next candidate
    }
  }
  return { ok: false };
}

const VALID_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u']);

/** Doubles backslashes that start no valid escape and drops commas before `]`/`}`, outside strings only. */
export function repairJson(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') {
        const next = text[i + 1] ?? '';
        out += VALID_ESCAPES.has(next) ? char + next : '\\\\';
        if (VALID_ESCAPES.has(next)) i++;
        continue;
      }
      if (char === '"') inString = false;
      out += char;
      continue;
    }
    if (char === '"') inString = true;
    if (char === ',' && /^\s*[\]}]/.test(text.slice(i + 1, i + 64))) continue;
    out += char;
  }
  return out;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return value === null ? 'null' : typeof value;
}

/**
 * The value of one parameter (docs/tool-calls.md, "Building arguments"). The `string` attribute decides;
 * without it the property's schema does (a string schema means raw, else JSON falling back to raw).
 * Mislabelled values are read the way the schema wants when that is unambiguous.
 */
function parameterValue(parameter: ParsedParameter, schema: JsonSchema | null): JsonParse {
  const property = propertySchema(schema, parameter.name);
  if (parameter.stringAttribute === 'true') {
    const raw = rawValue(parameter);
    const types = declaredTypes(property);
    if (types.length === 1 && (types[0] === 'object' || types[0] === 'array')) {
      const parsed = parseLenientJson(raw);
      if (parsed.ok && jsonKind(parsed.value) === types[0]) return parsed;
    }
    return { ok: true, value: raw };
  }
  if (parameter.stringAttribute === null && isStringSchema(property)) return { ok: true, value: rawValue(parameter) };
  const parsed = parseLenientJson(parameter.value);
  if (parsed.ok) return parsed;
  if (parameter.stringAttribute === null || isStringSchema(property)) return { ok: true, value: rawValue(parameter) };
  return { ok: false };
}

/** The arguments object of an invoke; a repeated parameter keeps its last value. */
export function buildArguments(invoke: ParsedInvoke, schema: JsonSchema | null, kind: ToolKind): ArgumentsResult {
  if (kind === 'custom') {
    const input = invoke.parameters.find((parameter) => parameter.name === 'input') ?? invoke.parameters[0];
    return { ok: true, args: { input: input === undefined ? '' : rawValue(input) }, repeated: [] };
  }
  const args: Record<string, unknown> = {};
  const repeated: string[] = [];
  for (const parameter of invoke.parameters) {
    const value = parameterValue(parameter, schema);
    if (!value.ok) return { ok: false, parameter: parameter.name };
    if (Object.hasOwn(args, parameter.name)) repeated.push(parameter.name);
    // defineProperty, so a parameter called `__proto__` is data, not a prototype change.
    Object.defineProperty(args, parameter.name, {
      value: value.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { ok: true, args, repeated };
}

/** The wire form: always an object's JSON text, `{}` when there are no arguments, never `""`. */
export function argumentsJson(args: Record<string, unknown>): string {
  return JSON.stringify(args);
}
