/** The stream the app's pino logger writes to (tests bind a capture to it). */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** The app's root pino logger; per-request loggers (`req.log`, request-logger.ts) are its children. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
