import type { ResponseFormat } from './response-format';

const BARE = 'Write no code fence and no text before or after it.';

/** Free text on one line, so a description cannot break the layout of the instructions. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** What the answer must be, as the object of "Reply with only …". */
function wanted(format: ResponseFormat): string {
  if (format.type === 'json_object') return 'one JSON object';
  return format.schema === null ? 'one JSON value' : 'one JSON value that matches the JSON Schema below';
}

/**
 * The instruction appended to the prompt when the client asked for JSON. Deterministic: the same format
 * always gives the same text (the schema is written as compact one-line JSON, keys in the client's order).
 */
export function structuredOutputInstructions(format: ResponseFormat): string {
  const lines = [`Reply with only ${wanted(format)}. ${BARE}`];
  if (format.type === 'json_schema') {
    lines.push(`Schema name: ${format.name}`);
    if (format.description !== null && oneLine(format.description) !== '') {
      lines.push(`Schema description: ${oneLine(format.description)}`);
    }
    if (format.schema !== null) lines.push(`Schema: ${JSON.stringify(format.schema)}`);
  }
  return lines.join('\n');
}

/** What a corrective turn asks for again; the schema itself is not repeated (it is in the prompt). */
function wantedAgain(format: ResponseFormat): string {
  if (format.type === 'json_object') return 'one JSON object';
  return format.schema === null ? 'one JSON value' : `one JSON value that matches the schema "${format.name}"`;
}

/**
 * The corrective user turn after a reply failed the check. `problem` completes "Your reply was not
 * accepted because …": the validator's `StructuredCheck.problem` is written that way ("it is not valid
 * JSON (…)", "it does not match the schema: …").
 */
export function structuredOutputCorrection(problem: string, format: ResponseFormat): string {
  const reason = oneLine(problem).replace(/[.\s]+$/, '');
  return `Your reply was not accepted because ${reason}. Reply again with only ${wantedAgain(format)}. ${BARE}`;
}
