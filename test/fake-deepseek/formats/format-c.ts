import { elapsedSecsFor, type ScriptItem, type StreamScript } from '../script';
import type { SearchResult } from '../types';
import {
  addCloseRetry,
  addClosingEvents,
  addStatusEnding,
  addHintError,
  Frames,
  PatchWriter,
  sseData,
  sseEvent,
  updateSessionEvent,
  usageBatch,
} from './frames';

const CONTENT = 'response/fragments/-1/content';
const ELAPSED = 'response/fragments/-1/elapsed_secs';
type FragmentType = 'THINK' | 'TOOL_SEARCH' | 'RESPONSE' | 'TIP';

/** Format C (§7.6): a `fragments` list inside the patch language. */
export function renderFormatC(script: StreamScript): Frames {
  const frames = new Frames();
  const w = new PatchWriter();
  const ids = fragmentIds(script);
  const stage = script.resume ? 0 : 1;
  const readyData = {
    request_message_id: script.requestMessageId,
    response_message_id: script.responseMessageId,
    model_type: script.modelType,
  };
  frames.add(sseEvent('ready', JSON.stringify(readyData)));
  if (script.resume) frames.add(': \n\n');
  frames.add(updateSessionEvent());

  const snapshotFragments: object[] = [];
  let last: FragmentType | null = null;
  let thinkingOpen = false;
  let start = 0;
  const resume = script.resume;
  if (resume) {
    if (resume.reasoning !== '') {
      // Set even while thinking continues: the INCOMPLETE round already SET it (as in the capture).
      snapshotFragments.push(think(ids.think, resume.reasoning, 1, elapsedSecsFor(resume.reasoning)));
      [last, thinkingOpen] = ['THINK', !resume.thinkingClosed];
    }
    if (resume.searchResults) {
      snapshotFragments.push(toolSearch(ids.search, [], resume.searchResults, 1));
      last = 'TOOL_SEARCH';
    }
    if (resume.content !== '') {
      snapshotFragments.push(response(ids.response, resume.content, 1));
      last = 'RESPONSE';
    }
  } else if (script.items[0]?.kind === 'reasoning') {
    snapshotFragments.push(think(ids.think, script.items[0].text, 1, null));
    [last, thinkingOpen, start] = ['THINK', true, 1];
  }
  let pending = snapshotFragments.length === 0;
  frames.add(sseData(JSON.stringify(snapshot(script, snapshotFragments, pending))), start === 1);

  const appendFragment = (fragment: object, isToken: boolean): void => {
    if (pending) {
      const batch = [
        { p: 'has_pending_fragment', v: false },
        { p: 'fragments', o: 'APPEND', v: [fragment] },
      ];
      frames.add(w.patch('response', 'BATCH', batch), isToken);
      pending = false;
    } else {
      frames.add(w.patch('response/fragments', 'APPEND', [fragment], true), isToken);
    }
  };

  for (let i = start; i < script.items.length; i++) {
    const item: ScriptItem = script.items[i];
    switch (item.kind) {
      case 'reasoning':
        if (last === 'THINK') frames.add(w.token(CONTENT, item), true);
        else appendFragment(think(ids.think, item.text, stage, null), true);
        [last, thinkingOpen] = ['THINK', true];
        break;
      case 'close-thinking':
        frames.add(w.patch(ELAPSED, 'SET', item.elapsedSecs));
        thinkingOpen = false;
        break;
      case 'search':
        appendFragment(toolSearch(ids.search, item.queries, item.results, stage), false);
        last = 'TOOL_SEARCH';
        break;
      case 'content':
        if (last === 'RESPONSE') frames.add(w.token(CONTENT, item), true);
        else appendFragment(response(ids.response, item.text, stage), true);
        last = 'RESPONSE';
        break;
      case 'tip':
        appendFragment({ id: ids.tip, type: 'TIP', content: item.text, style: 'WARNING', hide_on_wip: true }, false);
        last = 'TIP';
        break;
    }
  }

  const ending = script.ending;
  switch (ending.kind) {
    case 'status': {
      const elapsed = thinkingOpen && ending.elapsedSecs !== null ? { path: ELAPSED, secs: ending.elapsedSecs } : null;
      addStatusEnding(frames, w, script, ending.status, elapsed);
      break;
    }
    case 'content_filter':
      if (ending.shape === 'short') {
        // No `o`: clients must infer BATCH from the shape (§7.4 robustness rules).
        const short = {
          p: 'response',
          v: [
            { p: 'status', v: 'CONTENT_FILTER' },
            { p: 'accumulated_token_usage', v: script.usage },
          ],
        };
        frames.add(w.raw(JSON.stringify(short), 'response'));
      } else {
        frames.add(usageBatch(w, script.usage, 'FINISHED'));
        // Bare frame: inherits p=response, o=BATCH from the usage batch, as in the public fixture (§8.6).
        const template = { id: ids.template, type: 'TEMPLATE_RESPONSE', content: ending.template };
        const filter = [
          { p: 'ban_regenerate', v: true },
          { p: 'status', v: 'CONTENT_FILTER' },
          { p: 'fragments', v: [template] },
          { p: 'quasi_status', v: 'CONTENT_FILTER' },
        ];
        frames.add(w.patch('response', 'BATCH', filter));
      }
      addClosingEvents(frames, script);
      break;
    case 'hint_error':
      addHintError(frames, ending.message, ending.finishReason);
      break;
    case 'close_retry':
      addCloseRetry(frames);
      break;
    case 'disconnect':
    case 'stall':
      break;
  }
  return frames;
}

/** Ids in order of appearance, as in the captures (THINK 2, RESPONSE 3, TIP 4; RESPONSE 1 without thinking). */
function fragmentIds(script: StreamScript) {
  let next = script.thinkingEnabled ? 2 : 1;
  const think = script.hasReasoning ? next++ : 0;
  const search = script.hasSearch ? next++ : 0;
  const response = next++;
  // A TEMPLATE_RESPONSE and a TIP never occur in the same message.
  return { think, search, response, template: next, tip: next };
}

function think(id: number, content: string, stageId: number, elapsed: number | null) {
  return { id, type: 'THINK', content, elapsed_secs: elapsed, references: [], stage_id: stageId };
}

function response(id: number, content: string, stageId: number) {
  return { id, type: 'RESPONSE', content, references: [], stage_id: stageId };
}

function toolSearch(id: number, queries: string[], results: SearchResult[], stageId: number) {
  const cited = results.map((result, i) => ({ ...result, cite_index: i + 1 }));
  return { id, type: 'TOOL_SEARCH', status: 'FINISHED', queries, results: cited, stage_id: stageId };
}

function snapshot(script: StreamScript, fragments: object[], pending: boolean) {
  return {
    v: {
      response: {
        message_id: script.responseMessageId,
        parent_id: script.requestMessageId,
        model: '',
        role: 'ASSISTANT',
        thinking_enabled: script.thinkingEnabled,
        ban_edit: false,
        ban_regenerate: false,
        status: 'WIP',
        incomplete_message: null,
        accumulated_token_usage: script.resume ? script.baseUsage : 0,
        files: [],
        feedback: null,
        inserted_at: script.insertedAt,
        search_enabled: script.searchEnabled,
        fragments,
        conversation_mode: 'DEFAULT',
        has_pending_fragment: pending,
        auto_continue: false,
        search_triggered: script.hasSearch,
      },
    },
  };
}
