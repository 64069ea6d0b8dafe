import { DEFAULT_HINT_MESSAGE, type EndStatus, type StreamScript } from '../script';
import { Frames, sseData } from './frames';

/** Format A knew only `stop` and `length`; the later statuses are passed on lower-cased (fake-defined). */
const FINISH_REASONS: Partial<Record<EndStatus, string>> = { FINISHED: 'stop', INCOMPLETE: 'length' };

/**
 * Format A (§7.3): `choices`/`delta` chunks, then `data: [DONE]`. Its usage is the sum of
 * `chunk_token_usage` plus `prompt_token_usage` (on the last chunk). Errors are bare
 * `{"type":"error"}` objects, as A had no named events.
 */
export function renderFormatA(script: StreamScript): Frames {
  const frames = new Frames();
  const tail = `,"created":${Math.floor(Date.now() / 1000)},"message_id":${script.responseMessageId},"parent_id":${script.requestMessageId}}`;
  const chunk = (delta: object, usage: number, finishReason?: string, extra = ''): string => {
    const choice = finishReason ? { finish_reason: finishReason, index: 0, delta } : { index: 0, delta };
    return sseData(`{"choices":[${JSON.stringify(choice)}],"model":"","chunk_token_usage":${usage}${extra}${tail}`);
  };
  const done = (finishReason: string, content = ''): void => {
    const delta = { content, type: 'text', role: 'assistant' };
    frames.add(chunk(delta, 0, finishReason, `,"prompt_token_usage":${script.baseUsage}`));
    frames.add('data: [DONE]\n\n');
    // A has no title event, but the account stays busy while the title is generated.
    frames.markTitleWait();
  };
  const error = (content: string, finishReason: string): void => {
    frames.add(sseData(JSON.stringify({ type: 'error', content, clear_response: true, finish_reason: finishReason })));
  };

  const resume = script.resume;
  if (resume?.unsentReasoning) frames.add(chunk({ content: resume.unsentReasoning, type: 'thinking' }, 0));
  if (resume?.unsentContent) frames.add(chunk({ content: resume.unsentContent, type: 'text' }, 0));
  if (!resume && script.items[0]?.kind === 'reasoning') frames.add(chunk({ content: '', type: 'thinking' }, 0));
  for (const item of script.items) {
    if (item.kind === 'reasoning' || item.kind === 'content') {
      frames.add(chunk({ content: item.text, type: item.kind === 'reasoning' ? 'thinking' : 'text' }, 1), true);
    } else if (item.kind === 'search') {
      frames.add(chunk({ type: 'search_result', search_results: item.results }, 0));
    }
  }

  const ending = script.ending;
  switch (ending.kind) {
    case 'status':
      if (ending.status === 'CONTEXT_LENGTH_EXCEEDED') error(DEFAULT_HINT_MESSAGE, 'input_exceeds_limit');
      else done(FINISH_REASONS[ending.status] ?? ending.status.toLowerCase());
      break;
    case 'content_filter':
      // The real Format A shape is undocumented ("early stop with replaced text", §8.6); we carry the
      // canned text on the finishing chunk, which is what our parser treats as the replacement.
      done('content_filter', ending.template);
      break;
    case 'hint_error':
      error(ending.message, ending.finishReason);
      break;
    // A had no named events: close_retry just ends the body without `[DONE]`, as a truncated stream.
    case 'close_retry':
    case 'disconnect':
    case 'stall':
      break;
  }
  return frames;
}
