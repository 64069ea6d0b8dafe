import { findTrailingReasoningBlock } from './reasoning-promotion';
import { argumentsJson } from './tool-arguments';
import { allowedTools, prepareCall } from './tool-call-candidate';
import { decideOnProblem, PolicyDecision, ToolProblem } from './tool-failure-policy';
import { newCallId } from './tool-ids';
import type { AliasTable } from './tool-markup-aliases';
import type { MarkupEvent, ParsedInvoke } from './tool-markup-events';
import { ToolMarkupParser } from './tool-markup-parser';
import { wrapperOpener } from './tool-markup-writer';
import { ToolSchemaValidator } from './tool-schema-validator';
import type {
  EmitToolOutput,
  MarkupSpelling,
  ToolFinish,
  ToolNoticeKind,
  ToolRequest,
  UpstreamEnd,
} from './tool-types';

export interface ToolCallTransformOptions {
  spelling?: MarkupSpelling;
  aliases?: AliasTable;
  maxBlockChars?: number;
  newId?: () => string;
  /** False when this request already spent its one re-prompt. */
  repromptAvailable?: boolean;
  /** The request's compiled schemas, when a caller already has them. */
  validator?: ToolSchemaValidator;
}

/** Whether a request gets emulated tool calls at all (tools declared, `tool_choice` not `none`). */
export function toolsActive(request: ToolRequest): boolean {
  return request.tools.length > 0 && request.choice !== 'none';
}

/**
 * The tool stage for one response: content deltas in; text, calls, the end and signals out. It decides;
 * the chat service acts (stops the upstream, sends the re-prompt, logs notices).
 */
export class ToolCallTransform {
  private parser: ToolMarkupParser;
  private readonly validator: ToolSchemaValidator;
  private readonly active: boolean;
  private readonly newId: () => string;
  private readonly sent: { name: string; argumentsJson: string }[] = [];
  private repromptAvailable: boolean;
  private repromptPending = false;
  private stopped = false;
  private ended = false;
  private blockVoided = false;
  private contentNonBlank = false;
  private cutByLength = false;
  private emit: EmitToolOutput = () => undefined;

  constructor(
    private readonly request: ToolRequest,
    private readonly options: ToolCallTransformOptions = {},
  ) {
    this.active = toolsActive(request);
    this.newId = options.newId ?? newCallId;
    this.validator = options.validator ?? new ToolSchemaValidator();
    this.repromptAvailable = options.repromptAvailable ?? true;
    this.parser = this.newParser();
  }

  pushContent(text: string, emit: EmitToolOutput): void {
    if (this.stopped || this.ended || text.length === 0) return;
    this.emit = emit;
    if (!this.active) return this.emitText(text);
    this.parser.push(text, this.onMarkup);
  }

  /** The service sent the re-prompt; the next content deltas are the new reply. */
  beginRepromptRound(): void {
    this.repromptPending = false;
    this.repromptAvailable = false;
    this.stopped = false;
    this.blockVoided = false;
    this.cutByLength = false;
    this.parser = this.newParser();
  }

  /** The upstream reply is over (`reasoning`: its whole reasoning text, for promotion). */
  end(upstream: UpstreamEnd, reasoning: string, emit: EmitToolOutput): void {
    if (this.ended) return;
    this.emit = emit;
    this.cutByLength = upstream === 'INCOMPLETE';
    if (this.repromptPending) {
      // The service finished without sending the re-prompt: finish as if it had been spent.
      this.repromptPending = false;
      this.repromptAvailable = false;
    } else if (this.active && !this.stopped) {
      this.parser.end(this.onMarkup);
    }
    if (this.ended || this.repromptPending) return;
    if (this.active && this.sent.length === 0 && !this.contentNonBlank && reasoning !== '') this.promote(reasoning);
    if (this.sent.length > 0) return this.finish('tool_calls');
    if (this.active) {
      const decision = this.decide({ kind: 'no_call' });
      if (decision.action === 'reprompt') return this.reprompt(decision, false);
      if (decision.action === 'violation') return this.finish('tool_choice_violation');
    }
    this.finish(this.cutByLength ? 'length' : 'stop');
  }

  private readonly onMarkup = (event: MarkupEvent): void => {
    if (this.stopped || this.ended) return;
    switch (event.type) {
      case 'text':
        return this.emitText(event.text);
      case 'invoke':
        if (!this.blockVoided) this.onInvoke(event.invoke);
        return;
      case 'blockEnd':
        this.blockVoided = false;
        return;
      case 'malformed':
        if (this.blockVoided) this.blockVoided = false;
        else this.onMalformed(event.raw, this.decide({ kind: 'malformed', reason: event.reason }));
        return;
      case 'trailing':
        this.notice('trailing_text_dropped', `${event.text.length}+ characters after a block`);
        return this.stopUpstream('trailing_text');
    }
  };

  private onInvoke(invoke: ParsedInvoke): void {
    const candidate = prepareCall(invoke, this.request, this.validator);
    if (!candidate.ok) return this.onRejectedInvoke(invoke, candidate.problem);
    const { tool, args, schemaErrors } = candidate;
    if (candidate.writtenName !== null) this.notice('name_normalised', `${candidate.writtenName} → ${tool.name}`);
    if (candidate.repeated.length > 0) {
      this.notice('repeated_parameter', `${tool.name}: ${candidate.repeated.join(', ')}`);
    }
    if (schemaErrors.length > 0) {
      const decision = this.decide({
        kind: 'schema_invalid',
        name: tool.name,
        strict: tool.strict,
        errors: schemaErrors,
      });
      if (decision.action === 'reprompt') return this.reprompt(decision, true);
      this.notice('schema_invalid_passed', `${tool.name}: ${schemaErrors.join('; ')}`);
    }
    const json = argumentsJson(args);
    if (!this.request.parallel && this.sent.length > 0) return this.notice('extra_parallel_call_dropped', tool.name);
    if (this.sent.some((call) => call.name === tool.name && call.argumentsJson === json)) {
      return this.notice('duplicate_call_dropped', tool.name);
    }
    const index = this.sent.length;
    this.sent.push({ name: tool.name, argumentsJson: json });
    this.emit({ type: 'toolCall', index, id: this.newId(), name: tool.name, kind: tool.kind, argumentsJson: json });
  }

  private onRejectedInvoke(invoke: ParsedInvoke, problem: ToolProblem): void {
    const decision = this.decide(problem);
    switch (decision.action) {
      case 'reprompt':
        return this.reprompt(decision, true);
      case 'violation':
        this.stopUpstream('tool_choice_violation');
        return this.finish('tool_choice_violation');
      case 'drop_block':
        this.notice('block_dropped', invoke.name);
        this.blockVoided = true;
        this.parser.resumeTextAfterBlock();
        return this.emitText(decision.note);
      case 'text_fallback':
        this.notice('text_fallback', `${invoke.name}: ${problem.kind}`);
        return this.parser.releaseBlockAsText();
      case 'drop_rest':
        this.notice('failed_closed', invoke.name);
        return this.stopUpstream('failed_after_calls');
      case 'drop_call':
      case 'accept':
        return this.notice(problem.kind === 'malformed' ? 'failed_closed' : 'unknown_call_dropped', invoke.name);
    }
  }

  private onMalformed(raw: string, decision: PolicyDecision): void {
    switch (decision.action) {
      case 'reprompt':
        return this.reprompt(decision, true);
      case 'drop_rest':
      case 'drop_call':
        this.notice('failed_closed', `${raw.length} characters`);
        return this.stopUpstream('failed_after_calls');
      default:
        this.notice('text_fallback', `${raw.length} characters`);
        return this.emitText(raw);
    }
  }

  /** Calls found at the end of the reasoning, when the content had none (all must be valid). */
  private promote(reasoning: string): void {
    const block = findTrailingReasoningBlock(reasoning, this.parserOptions());
    if (block === null) return;
    if (!block.invokes.every((invoke) => prepareCall(invoke, this.request, this.validator).ok)) return;
    for (const invoke of block.invokes) this.onInvoke(invoke);
    this.notice('reasoning_promoted', `${block.invokes.length} call(s)`);
    this.emit({ type: 'reasoningReplaced', reasoning: block.reasoningBefore });
  }

  private decide(problem: ToolProblem): PolicyDecision {
    return decideOnProblem(problem, {
      choice: this.request.choice,
      callsSent: this.sent.length,
      repromptAvailable: this.repromptAvailable,
      cutByLength: this.cutByLength,
      availableNames: allowedTools(this.request).map((tool) => tool.name),
      wrapperTag: wrapperOpener(this.options.spelling ?? 'dsml'),
    });
  }

  private reprompt(decision: Extract<PolicyDecision, { action: 'reprompt' }>, upstreamRunning: boolean): void {
    this.repromptPending = true;
    this.emit({ type: 'repromptNeeded', reason: decision.reason, message: decision.message });
    if (upstreamRunning) this.stopUpstream('reprompt');
  }

  private stopUpstream(reason: 'trailing_text' | 'reprompt' | 'failed_after_calls' | 'tool_choice_violation'): void {
    this.stopped = true;
    this.emit({ type: 'stopUpstream', reason });
  }

  private finish(finish: ToolFinish): void {
    this.ended = true;
    this.emit({ type: 'end', finish });
  }

  private emitText(text: string): void {
    if (text.length === 0) return;
    if (!this.contentNonBlank && text.trim() !== '') this.contentNonBlank = true;
    this.emit({ type: 'text', text });
  }

  private notice(kind: ToolNoticeKind, detail: string): void {
    this.emit({ type: 'notice', kind, detail });
  }

  private parserOptions(): { aliases?: AliasTable; maxBlockChars?: number } {
    return { aliases: this.options.aliases, maxBlockChars: this.options.maxBlockChars };
  }

  private newParser(): ToolMarkupParser {
    return new ToolMarkupParser(this.parserOptions());
  }
}
