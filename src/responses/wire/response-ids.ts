import { randomAlphanumeric } from '../../chat/tools/tool-ids';

/** Ids in OpenAI's shapes: a prefix and random letters; clients only compare them. */
export const newResponseId = (): string => `resp_${randomAlphanumeric(32)}`;
export const newReasoningItemId = (): string => `rs_${randomAlphanumeric(32)}`;
export const newMessageItemId = (): string => `msg_${randomAlphanumeric(32)}`;
export const newFunctionCallItemId = (): string => `fc_${randomAlphanumeric(32)}`;
export const newCustomCallItemId = (): string => `ctc_${randomAlphanumeric(32)}`;
