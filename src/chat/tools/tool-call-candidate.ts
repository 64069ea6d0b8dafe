import { buildArguments } from './tool-arguments';
import type { ToolProblem } from './tool-failure-policy';
import type { ParsedInvoke } from './tool-markup-events';
import { resolveToolName } from './tool-names';
import type { ToolSchemaValidator } from './tool-schema-validator';
import type { DeclaredTool, ToolRequest } from './tool-types';

/** An invoke turned into a call of a declared tool, or the problem that stops it. */
export type CallCandidate =
  | {
      ok: true;
      tool: DeclaredTool;
      /** Coerced by the schema; unknown properties removed where the schema closes them. */
      args: Record<string, unknown>;
      /** The name the model wrote, when it differs from the declared one. */
      writtenName: string | null;
      repeated: string[];
      schemaErrors: string[];
    }
  | { ok: false; problem: ToolProblem };

/** The tools the model may call: a named `tool_choice` allows that one only. */
export function allowedTools(request: ToolRequest): readonly DeclaredTool[] {
  const choice = request.choice;
  if (typeof choice !== 'object') return request.tools;
  return request.tools.filter((tool) => tool.name === choice.name);
}

/** Name resolution, argument building and schema checking of one invoke (no policy). */
export function prepareCall(invoke: ParsedInvoke, request: ToolRequest, validator: ToolSchemaValidator): CallCandidate {
  const allowed = allowedTools(request);
  const resolution = resolveToolName(
    invoke.name,
    allowed.map((tool) => tool.name),
  );
  const tool =
    resolution.kind === 'unknown' ? undefined : allowed.find((candidate) => candidate.name === resolution.name);
  if (tool === undefined) {
    const declared = request.tools.some((candidate) => candidate.name === invoke.name);
    return { ok: false, problem: { kind: declared ? 'not_chosen' : 'unknown_name', name: invoke.name } };
  }
  const built = buildArguments(invoke, tool.parameters, tool.kind);
  if (!built.ok) return { ok: false, problem: { kind: 'malformed', reason: 'bad_json' } };
  const schemaErrors = tool.kind === 'function' ? validator.check(tool, built.args) : [];
  const writtenName = resolution.kind === 'normalised' ? invoke.name : null;
  return { ok: true, tool, args: built.args, writtenName, repeated: built.repeated, schemaErrors };
}
