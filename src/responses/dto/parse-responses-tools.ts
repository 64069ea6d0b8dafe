import { FIELD_LIMITS } from '../../chat/dto/field-limits';
import { allowedToolsOf, declaredName } from '../../chat/tools/tool-request';
import type { DeclaredTool, ToolChoice, ToolRequest } from '../../chat/tools/tool-types';
import {
  invalidType,
  invalidValue,
  isObject,
  type JsonObject,
  optionalBoolean,
  optionalString,
  quote,
  requiredString,
} from '../../common/http/json-checks';

export interface ParsedTools {
  /** Null when no function or custom tool is declared. */
  request: ToolRequest | null;
  /** What a Response echoes as `tools`: the function and custom tools, flat. */
  echoed: JsonObject[];
  /** What a Response echoes as `tool_choice`. */
  choice: unknown;
  parallel: boolean;
}

/**
 * The Responses API's flat `tools` (`{type: "function", name, parameters…}`, `{type: "custom", name,
 * format}`), `tool_choice` and `parallel_tool_calls`, as one `ToolRequest` for the tool stage. Hosted
 * tool kinds (`web_search`, `local_shell`…) cannot run here and are skipped, not refused.
 */
export function parseResponsesTools(body: JsonObject): ParsedTools {
  const parallel = optionalBoolean(body, 'parallel_tool_calls', 'parallel_tool_calls') ?? true;
  const declared: DeclaredTool[] = [];
  const echoed: JsonObject[] = [];
  const raw = body.tools;
  if (raw != null) {
    if (!Array.isArray(raw)) throw invalidType('tools', 'an array', raw);
    raw.forEach((entry: unknown, i) => {
      const path = `tools[${i}]`;
      if (!isObject(entry)) throw invalidType(path, 'an object', entry);
      const type = requiredString(entry, 'type', `${path}.type`);
      if (type !== 'function' && type !== 'custom') return;
      const tool = parseTool(entry, path, type);
      declared.push(tool);
      echoed.push(echoOf(entry, tool));
    });
  }
  const choice = body.tool_choice ?? 'auto';
  const { toolChoice, allowed } = parseChoice(choice, declared);
  if (declared.length === 0) return { request: null, echoed, choice, parallel };
  const tools = allowed === null ? declared : declared.filter((tool) => allowed.has(tool.name));
  return { request: { tools, choice: toolChoice, parallel }, echoed, choice, parallel };
}

function parseTool(entry: JsonObject, path: string, kind: 'function' | 'custom'): DeclaredTool {
  const name = requiredString(entry, 'name', `${path}.name`, FIELD_LIMITS.name);
  if (name.trim() === '') {
    throw invalidValue(`${path}.name`, `Invalid '${path}.name': empty string. Expected a tool name.`);
  }
  const description = optionalString(entry, 'description', `${path}.description`);
  if (kind === 'custom') return { name, description, parameters: null, strict: false, kind };
  const parameters = entry.parameters;
  if (parameters != null && !isObject(parameters)) throw invalidType(`${path}.parameters`, 'an object', parameters);
  return {
    name,
    description,
    parameters: isObject(parameters) ? parameters : null,
    strict: optionalBoolean(entry, 'strict', `${path}.strict`) ?? false,
    kind,
  };
}

function echoOf(entry: JsonObject, tool: DeclaredTool): JsonObject {
  if (tool.kind === 'custom') {
    return { type: 'custom', name: tool.name, description: tool.description, format: entry.format ?? { type: 'text' } };
  }
  return {
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    strict: tool.strict,
  };
}

interface ParsedChoice {
  toolChoice: ToolChoice;
  /** `allowed_tools`: the names the request is reduced to. */
  allowed: Set<string> | null;
}

function parseChoice(value: unknown, tools: readonly DeclaredTool[]): ParsedChoice {
  const path = 'tool_choice';
  if (typeof value === 'string') {
    if (value === 'none' || value === 'auto' || value === 'required') return { toolChoice: value, allowed: null };
    throw invalidValue(
      path,
      `Invalid value for '${path}': ${quote(value)}. Supported values are: 'none', 'auto' and 'required'.`,
    );
  }
  if (!isObject(value)) throw invalidType(path, 'a string or an object', value);
  const type = requiredString(value, 'type', `${path}.type`);
  if (type === 'function' || type === 'custom') {
    return { toolChoice: { name: declaredName(value, path, tools) }, allowed: null };
  }
  if (type === 'allowed_tools') {
    // The Responses API lists tools flat: `{type: "function", name}`.
    const { choice, allowed } = allowedToolsOf(value, path, tools, (entry, entryPath) =>
      entry.type === 'function' || entry.type === 'custom' ? { named: entry, path: entryPath } : null,
    );
    return { toolChoice: choice, allowed };
  }
  // A hosted tool forced (`{type: "web_search"}`…): we cannot run it, so the model chooses.
  return { toolChoice: 'auto', allowed: null };
}
