import { readSseBlocks } from './sse-reader';

/** One Responses API stream event: the `event:` name and its parsed `data`. */
export interface ResponsesStreamEvent {
  event: string | null;
  data: { type: string; sequence_number: number; [field: string]: any };
}

/** The events of a Responses stream body, over the tests' one SSE reader; comment-only blocks are left out. */
export function responsesEvents(body: string): ResponsesStreamEvent[] {
  return readSseBlocks(body)
    .blocks.filter((block) => block.data !== null)
    .map((block) => ({ event: block.event, data: JSON.parse(block.data!) }));
}

/**
 * What Codex and the openai SDK require of a stream, as a list of violations ([] when none):
 * `response.created` first and the terminal event last, `event:` equal to `data.type`, sequence numbers
 * 0..n, items one after another (an item's events between its `output_item.added` and `.done`, its
 * `output_index` the number of items before it), and the terminal `response.output` equal to the items
 * as `output_item.done` gave them.
 */
export function responsesStreamViolations(events: readonly ResponsesStreamEvent[]): string[] {
  const problems: string[] = [];
  const types = events.map(({ data }) => data.type);
  if (types[0] !== 'response.created') problems.push(`first event is ${types[0]}`);
  const terminal = types.at(-1);
  if (!['response.completed', 'response.incomplete', 'response.failed'].includes(terminal ?? '')) {
    problems.push(`last event is ${terminal}`);
  }
  events.forEach(({ event, data }, i) => {
    if (event !== data.type) problems.push(`event ${i}: 'event: ${event}' but type ${data.type}`);
    if (data.sequence_number !== i) problems.push(`event ${i}: sequence_number ${data.sequence_number}`);
  });
  const done: any[] = [];
  let open: { id: string; index: number } | null = null;
  for (const { data } of events) {
    if (data.type === 'response.output_item.added') {
      if (open) problems.push(`item ${data.item.id} added while ${open.id} is open`);
      if (data.output_index !== done.length) problems.push(`item ${data.item.id} at output_index ${data.output_index}`);
      open = { id: data.item.id, index: data.output_index };
    } else if (data.type === 'response.output_item.done') {
      if (open?.id !== data.item.id) problems.push(`item ${data.item.id} done but not open`);
      done.push(data.item);
      open = null;
    } else if (data.item_id !== undefined && (!open || open.id !== data.item_id || data.output_index !== open.index)) {
      problems.push(`${data.type} for ${data.item_id} outside its item`);
    }
  }
  if (open) problems.push(`item ${open.id} never done`);
  const final = events.at(-1)?.data.response;
  if (JSON.stringify(final?.output) !== JSON.stringify(done)) {
    problems.push('the final output differs from the streamed items');
  }
  return problems;
}
