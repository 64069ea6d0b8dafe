import {
  invalidType,
  invalidValue,
  isObject,
  JsonObject,
  optionalBoolean,
  optionalString,
  quote,
  requiredString,
} from '../common/http/json-checks';
import { FIELD_LIMITS } from '../chat/dto/field-limits';
import type { DeclaredTool, ToolChoice, ToolRequest } from '../chat/tools/tool-types';

export interface AnthropicTools {
  /** Null when no tool we can emulate is declared. */
  request: ToolRequest | null;
  /** Server tools (web search, bash, text editor…) that were left out: they run on Anthropic's side only. */
  skipped: number;
}

/**
 * `tools`, `tool_choice` (with `disable_parallel_tool_use`): client tools become function tools; a tool
 * with a `type` other than `custom` is one of Anthropic's server tools, which we cannot run, and is skipped.
 */
export function parseAnthropicTools(body: JsonObject): AnthropicTools {
  const declared = body.tools == null ? [] : parseTools(body.tools);
  const tools = declared.filter((tool): tool is DeclaredTool => tool !== null);
  const skipped = declared.length - tools.length;
  const choice = parseChoice(body.tool_choice, tools);
  if (tools.length === 0) return { request: null, skipped };
  return { request: { tools, choice: choice.choice, parallel: !choice.disableParallel }, skipped };
}

function parseTools(value: unknown): (DeclaredTool | null)[] {
  if (!Array.isArray(value)) throw invalidType('tools', 'an array', value);
  return value.map((entry: unknown, i) => {
    const path = `tools[${i}]`;
    if (!isObject(entry)) throw invalidType(path, 'an object', entry);
    const type = optionalString(entry, 'type', `${path}.type`);
    if (type !== null && type !== 'custom') return null;
    const schema = entry.input_schema;
    if (!isObject(schema)) throw invalidType(`${path}.input_schema`, 'an object', schema);
    const name = requiredString(entry, 'name', `${path}.name`, FIELD_LIMITS.name);
    if (name.trim() === '') {
      throw invalidValue(`${path}.name`, `Invalid '${path}.name': empty string. Expected a tool name.`);
    }
    return {
      name,
      description: optionalString(entry, 'description', `${path}.description`),
      parameters: schema,
      strict: optionalBoolean(entry, 'strict', `${path}.strict`) ?? false,
      kind: 'function',
    };
  });
}

interface ParsedChoice {
  choice: ToolChoice;
  disableParallel: boolean;
}

function parseChoice(value: unknown, tools: readonly DeclaredTool[]): ParsedChoice {
  if (value == null) return { choice: 'auto', disableParallel: false };
  if (!isObject(value)) throw invalidType('tool_choice', 'an object', value);
  const type = requiredString(value, 'type', 'tool_choice.type');
  const disableParallel =
    optionalBoolean(value, 'disable_parallel_tool_use', 'tool_choice.disable_parallel_tool_use') ?? false;
  switch (type) {
    case 'auto':
    case 'none':
      return { choice: type, disableParallel };
    case 'any':
      return { choice: 'required', disableParallel };
    case 'tool': {
      const name = requiredString(value, 'name', 'tool_choice.name', FIELD_LIMITS.name);
      if (!tools.some((tool) => tool.name === name)) {
        throw invalidValue(
          'tool_choice.name',
          `Invalid value for 'tool_choice.name': no tool named ${quote(name)} was declared.`,
        );
      }
      return { choice: { name }, disableParallel };
    }
    default:
      throw invalidValue(
        'tool_choice.type',
        `Invalid value for 'tool_choice.type': ${quote(type)}. Supported values are: 'auto', 'any', 'tool' and 'none'.`,
      );
  }
}
