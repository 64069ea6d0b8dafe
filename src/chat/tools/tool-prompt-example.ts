import { declaredTypes } from './tool-schema-keywords';
import type { DeclaredTool, JsonSchema } from './tool-types';
import type { WrittenInvoke } from './tool-markup-writer';

const MAX_EXAMPLE_PARAMETERS = 8;
const MAX_DEPTH = 2;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plausible value for a schema: its enum, const, default or example when given, else one by type. */
export function exampleValue(schema: JsonSchema | null, name: string, depth = 0): unknown {
  if (schema === null) return `example ${name}`;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as unknown;
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0] as unknown;
  const [type] = declaredTypes(schema);
  switch (type) {
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'array':
      if (depth >= MAX_DEPTH || !isObject(schema.items)) return [];
      return [exampleValue(schema.items, name, depth + 1)];
    case 'object':
      return depth >= MAX_DEPTH ? {} : Object.fromEntries(exampleParameters(schema, depth + 1));
    default:
      return `example ${name}`;
  }
}

/** The required properties (or the first one when none is required), with example values. */
function exampleParameters(schema: JsonSchema | null, depth: number): [string, unknown][] {
  const properties = schema !== null && isObject(schema.properties) ? schema.properties : {};
  const names = Object.keys(properties);
  const required = Array.isArray(schema?.required) ? schema.required.filter((name) => typeof name === 'string') : [];
  const chosen = (required.length > 0 ? required : names.slice(0, 1)).slice(0, MAX_EXAMPLE_PARAMETERS);
  return chosen.map((name) => {
    const property = properties[name];
    return [name, exampleValue(isObject(property) ? property : null, name, depth)];
  });
}

/** An example call of a real declared tool, its values derived from the tool's schema. */
export function exampleInvoke(tool: DeclaredTool): WrittenInvoke {
  if (tool.kind === 'custom') return { name: tool.name, parameters: [['input', 'example input']] };
  return { name: tool.name, parameters: exampleParameters(tool.parameters, 0) };
}
