import { ValidationError, ValidationPipe } from '@nestjs/common';
import { OpenAiError } from '../errors/openai-error';

/** The first failing leaf, with its path in the body (`messages[0].role`). */
function firstFailure(errors: ValidationError[], prefix = ''): { path: string; message: string } | undefined {
  for (const error of errors) {
    const isIndex = /^\d+$/.test(error.property);
    const path = isIndex ? `${prefix}[${error.property}]` : prefix ? `${prefix}.${error.property}` : error.property;
    const constraint = error.constraints ? Object.values(error.constraints)[0] : undefined;
    if (constraint) return { path, message: constraint };
    const nested = firstFailure(error.children ?? [], path);
    if (nested) return nested;
  }
  return undefined;
}

/** The global pipe: strips unknown keys (clients send many), never rejects them. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    forbidNonWhitelisted: false,
    exceptionFactory: (errors) => {
      const failure = firstFailure(errors);
      if (!failure) return OpenAiError.badRequest('Invalid request body.');
      return OpenAiError.badRequest(
        `Invalid value for '${failure.path}': ${failure.message}.`,
        failure.path,
        'invalid_value',
      );
    },
  });
}
