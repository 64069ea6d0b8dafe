import {
  invalidType,
  invalidValue,
  isObject,
  JsonObject,
  missing,
  optionalBoolean,
  optionalString,
  quote,
  requiredString,
} from '../../common/http/json-checks';
import { FIELD_LIMITS } from '../dto/field-limits';
import type { DeclaredTool, ToolChoice, ToolRequest } from './tool-types';

/**
 * OpenAI `tools`, `tool_choice`, `parallel_tool_calls` and the legacy `functions` / `function_call`,
 * checked and reduced to one `ToolRequest` (docs/tool-calls.md §7). Null when no tool is declared and
 * no choice is made. Tool types we do not emulate are accepted and ignored.
 */
export function parseToolRequest(body: JsonObject): ToolRequest | null {
  const modern = body.tools != null;
  const declared = modern ? parseTools(body.tools, 'tools') : parseFunctions(body.functions);
  const choiceKey = modern || body.function_call == null ? 'tool_choice' : 'function_call';
  const raw = body[choiceKey];
  const parallel = optionalBoolean(body, 'parallel_tool_calls', 'parallel_tool_calls') ?? true;
  if (declared === null) {
    if (raw != null && raw !== 'none' && raw !== 'auto') {
      throw invalidValue(
        choiceKey,
        `Invalid value for '${choiceKey}': '${choiceKey}' is only allowed when 'tools' are specified.`,
      );
    }
    return null;
  }
  const { choice, allowed } = parseChoice(raw, choiceKey, declared);
  const tools = allowed === null ? declared : declared.filter((tool) => allowed.has(tool.name));
  return { tools, choice, parallel };
}

function parseTools(value: unknown, path: string): DeclaredTool[] {
  if (!Array.isArray(value)) throw invalidType(path, 'an array', value);
  const tools: DeclaredTool[] = [];
  value.forEach((entry: unknown, i) => {
    const toolPath = `${path}[${i}]`;
    if (!isObject(entry)) throw invalidType(toolPath, 'an object', entry);
    const type = requiredString(entry, 'type', `${toolPath}.type`);
    if (type === 'function') tools.push(parseFunctionTool(entry.function, `${toolPath}.function`));
    else if (type === 'custom') tools.push(parseCustomTool(entry.custom, `${toolPath}.custom`));
  });
  return tools;
}

function parseFunctions(value: unknown): DeclaredTool[] | null {
  if (value == null) return null;
  if (!Array.isArray(value)) throw invalidType('functions', 'an array', value);
  return value.map((entry: unknown, i) => parseFunctionTool(entry, `functions[${i}]`));
}

function parseFunctionTool(value: unknown, path: string): DeclaredTool {
  if (value == null) throw missing(path);
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  const parameters = value.parameters;
  if (parameters != null && !isObject(parameters)) throw invalidType(`${path}.parameters`, 'an object', parameters);
  return {
    name: toolName(value, path),
    description: optionalString(value, 'description', `${path}.description`),
    parameters: isObject(parameters) ? parameters : null,
    strict: optionalBoolean(value, 'strict', `${path}.strict`) ?? false,
    kind: 'function',
  };
}

function parseCustomTool(value: unknown, path: string): DeclaredTool {
  if (value == null) throw missing(path);
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  return {
    name: toolName(value, path),
    description: optionalString(value, 'description', `${path}.description`),
    parameters: null,
    strict: false,
    kind: 'custom',
  };
}

function toolName(value: JsonObject, path: string): string {
  const name = requiredString(value, 'name', `${path}.name`, FIELD_LIMITS.name);
  if (name.trim() === '') {
    throw invalidValue(`${path}.name`, `Invalid '${path}.name': empty string. Expected a tool name.`);
  }
  return name;
}

interface ParsedChoice {
  choice: ToolChoice;
  /** `allowed_tools`: the names the request is reduced to. */
  allowed: Set<string> | null;
}

function parseChoice(value: unknown, path: string, tools: readonly DeclaredTool[]): ParsedChoice {
  if (value == null) return { choice: 'auto', allowed: null };
  if (typeof value === 'string') {
    if (value === 'none' || value === 'auto' || value === 'required') return { choice: value, allowed: null };
    throw invalidValue(
      path,
      `Invalid value for '${path}': ${quote(value)}. Supported values are: 'none', 'auto' and 'required'.`,
    );
  }
  if (!isObject(value)) throw invalidType(path, 'a string or an object', value);
  if (path === 'function_call') return { choice: { name: declaredName(value, path, tools) }, allowed: null };
  const type = requiredString(value, 'type', `${path}.type`);
  switch (type) {
    case 'function':
    case 'custom': {
      const named = value[type];
      if (!isObject(named)) throw invalidType(`${path}.${type}`, 'an object', named);
      return { choice: { name: declaredName(named, `${path}.${type}`, tools) }, allowed: null };
    }
    case 'allowed_tools':
      return parseAllowedTools(value.allowed_tools, `${path}.allowed_tools`, tools);
    default:
      throw invalidValue(
        `${path}.type`,
        `Invalid value for '${path}.type': ${quote(type)}. Supported values are: 'function', 'custom' and 'allowed_tools'.`,
      );
  }
}

function parseAllowedTools(value: unknown, path: string, tools: readonly DeclaredTool[]): ParsedChoice {
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  // Chat Completions nests a listed tool's name under its type: `{type: "function", function: {name}}`.
  return allowedToolsOf(value, path, tools, (entry, entryPath) => {
    const type = requiredString(entry, 'type', `${entryPath}.type`);
    const named = entry[type];
    return (type === 'function' || type === 'custom') && isObject(named)
      ? { named, path: `${entryPath}.${type}` }
      : null;
  });
}

/**
 * `allowed_tools`: its mode and the declared names it lists. `nameHolder` finds where an entry keeps
 * its name (each API nests it its own way); null for a built-in tool, which does not narrow the list.
 */
export function allowedToolsOf(
  value: JsonObject,
  path: string,
  tools: readonly DeclaredTool[],
  nameHolder: (entry: JsonObject, entryPath: string) => { named: JsonObject; path: string } | null,
): { choice: 'auto' | 'required'; allowed: Set<string> } {
  const mode = requiredString(value, 'mode', `${path}.mode`);
  if (mode !== 'auto' && mode !== 'required') {
    throw invalidValue(
      `${path}.mode`,
      `Invalid value for '${path}.mode': ${quote(mode)}. Supported values are: 'auto' and 'required'.`,
    );
  }
  const list = value.tools;
  if (!Array.isArray(list)) throw invalidType(`${path}.tools`, 'an array', list);
  const allowed = new Set<string>();
  list.forEach((entry: unknown, i) => {
    const entryPath = `${path}.tools[${i}]`;
    if (!isObject(entry)) throw invalidType(entryPath, 'an object', entry);
    const holder = nameHolder(entry, entryPath);
    if (holder) allowed.add(declaredName(holder.named, holder.path, tools));
  });
  return { choice: mode, allowed };
}

/** The `name` at `path`, which must be one of the declared tools. */
export function declaredName(value: JsonObject, path: string, tools: readonly DeclaredTool[]): string {
  const name = requiredString(value, 'name', `${path}.name`, FIELD_LIMITS.name);
  if (!tools.some((tool) => tool.name === name)) {
    throw invalidValue(`${path}.name`, `Invalid value for '${path}.name': no tool named ${quote(name)} was declared.`);
  }
  return name;
}
