import type { JsonSchema } from './tool-types';

/** Keywords whose values are maps from property names to schemas (the names are data, not keywords). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords holding one schema or a list of schemas. */
const SCHEMA_SLOTS = new Set([
  'items',
  'prefixItems',
  'additionalItems',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'allOf',
  'anyOf',
  'oneOf',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `schema` without the given keywords at any depth; property names are never touched. */
export function withoutKeywords(schema: JsonSchema, drop: ReadonlySet<string>): JsonSchema {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (drop.has(key)) continue;
    if (SCHEMA_MAPS.has(key) && isObject(value)) {
      const map: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(value)) map[name] = isObject(sub) ? withoutKeywords(sub, drop) : sub;
      out[key] = map;
    } else if (SCHEMA_SLOTS.has(key) && isObject(value)) {
      out[key] = withoutKeywords(value, drop);
    } else if (SCHEMA_SLOTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((sub: unknown) => (isObject(sub) ? withoutKeywords(sub, drop) : sub));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The schema of one top-level property, when the tool declares it. */
export function propertySchema(schema: JsonSchema | null, name: string): JsonSchema | null {
  const properties = schema?.properties;
  if (!isObject(properties)) return null;
  const property = properties[name];
  return isObject(property) ? property : null;
}

/** The declared types of a schema, `null` left out (`["string","null"]` is a string). */
export function declaredTypes(schema: JsonSchema | null): string[] {
  if (schema === null) return [];
  const type = schema.type;
  const types =
    typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((t) => typeof t === 'string') : [];
  if (types.length === 0 && Array.isArray(schema.enum) && schema.enum.length > 0) {
    if (schema.enum.every((value) => typeof value === 'string')) return ['string'];
  }
  return types.filter((t) => t !== 'null');
}

export function isStringSchema(schema: JsonSchema | null): boolean {
  const types = declaredTypes(schema);
  return types.length === 1 && types[0] === 'string';
}
