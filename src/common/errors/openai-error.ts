/** @deprecated The old name of `ApiError`, until its last importers move; the OpenAI shape is `toOpenAiErrorBody`. */
export { ApiError as OpenAiError } from './api-error';
