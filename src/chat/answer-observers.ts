import type { LoggerService } from '@nestjs/common';
import type { MetricsService } from '../common/metrics/metrics.service';
import type { StructuredOutputObserver } from './structured-output/structured-output-stage';
import type { ToolStageObserver } from './tools/tool-stage';

export interface AnswerObservers {
  toolObserver: ToolStageObserver;
  structuredObserver: StructuredOutputObserver;
}

/**
 * What the judging stages report, as log lines and counters: kinds and counts only, never the client's
 * tool names or the model's text.
 */
export function answerObservers(logger: LoggerService, metrics: MetricsService | undefined): AnswerObservers {
  return {
    toolObserver: {
      call: (kind) => metrics?.toolCall(kind),
      notice: (kind) => {
        logger.log(`tool calls: ${kind}`);
        metrics?.toolNotice(kind);
      },
      correction: (reason) => {
        logger.log(`tool calls: corrective turn (${reason})`);
        metrics?.correctiveTurn('tools', reason);
      },
    },
    structuredObserver: {
      correction: () => {
        logger.log('response_format: corrective turn (the answer failed the JSON check)');
        metrics?.correctiveTurn('json', 'invalid_json');
      },
      droppedAfterFence: (chars) => {
        logger.log(`response_format: ${chars} characters after the JSON's code fence dropped`);
      },
    },
  };
}
