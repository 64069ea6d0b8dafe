import { elapsedSecsFor, type StreamScript } from '../script';
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

const THINKING = 'response/thinking_content';
const ELAPSED = 'response/thinking_elapsed_secs';

/** Format B (§7.5): flat paths `response/thinking_content` and `response/content`. TIPs are not sent. */
export function renderFormatB(script: StreamScript): Frames {
  const frames = new Frames();
  const w = new PatchWriter();
  const resume = script.resume;
  const ready = { request_message_id: script.requestMessageId, response_message_id: script.responseMessageId };
  frames.add(sseEvent('ready', JSON.stringify(ready)));
  if (resume) frames.add(': \n\n');
  frames.add(updateSessionEvent());
  frames.add(sseData(JSON.stringify(snapshot(script))));

  let thinkingOpen = resume !== null && resume.reasoning !== '' && !resume.thinkingClosed;
  for (const item of script.items) {
    switch (item.kind) {
      case 'reasoning':
        frames.add(w.token(THINKING, item), true);
        thinkingOpen = true;
        break;
      case 'close-thinking':
        frames.add(w.patch(ELAPSED, 'SET', item.elapsedSecs));
        thinkingOpen = false;
        break;
      case 'search':
        frames.add(w.patch('response/search_status', 'SET', 'SEARCHING'));
        frames.add(
          w.patch(
            'response/search_results',
            'SET',
            item.results.map((r) => ({ ...r, cite_index: null })),
          ),
        );
        frames.add(
          w.patch(
            'response/search_results',
            'BATCH',
            item.results.map((_, i) => ({ p: `${i}/cite_index`, v: i + 1 })),
          ),
        );
        frames.add(w.patch('response/search_status', 'SET', 'FINISHED'));
        break;
      case 'content':
        frames.add(w.token('response/content', item), true);
        break;
      case 'tip':
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
      frames.add(w.patch('response/content', 'SET', ending.template));
      frames.add(usageBatch(w, script.usage, 'CONTENT_FILTER'));
      frames.add(w.patch('response/status', 'SET', 'CONTENT_FILTER'));
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

function snapshot(script: StreamScript) {
  const resume = script.resume;
  const results: SearchResult[] | null = resume?.searchResults ?? null;
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
        accumulated_token_usage: resume ? script.baseUsage : 0,
        files: [],
        feedback: null,
        inserted_at: script.insertedAt,
        search_enabled: script.searchEnabled,
        content: resume?.content ?? '',
        thinking_content: resume && resume.reasoning !== '' ? resume.reasoning : null,
        thinking_elapsed_secs: resume && resume.reasoning !== '' ? elapsedSecsFor(resume.reasoning) : null,
        search_status: results ? 'FINISHED' : null,
        search_results: results ? results.map((r, i) => ({ ...r, cite_index: i + 1 })) : null,
        tips: [],
      },
    },
  };
}
