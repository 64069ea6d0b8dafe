/** The stream the app's pino logger writes to (tests bind a capture to it). */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** The app's root pino logger; per-request loggers (pino-http's `req.log`) are its children. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
