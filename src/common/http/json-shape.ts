/**
 * Limits on the shape of a JSON body, checked on its bytes before JSON.parse. Parsing is linear, but
 * its cost per value is high: 3,000,000 nested arrays (6 MB) hold the event loop for over a second,
 * 2,600,000 empty objects (8 MB) for most of one. Real requests are far from both limits.
 */
export const JSON_SHAPE_LIMITS = {
  /** Levels of nesting; tool schemas go a dozen deep. */
  maxDepth: 64,
  /** Array elements and object members, all levels together (a 2,000-message chat has a few tens of thousands). */
  maxValues: 200_000,
};

/** Thrown from body-parser's `verify`; body-parser passes it on with this status and type (see the exception filter). */
export class JsonShapeError extends Error {
  static readonly TYPE = 'entity.shape.exceeded';
  readonly status = 400;
  readonly type = JsonShapeError.TYPE;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Throws JsonShapeError when `body` nests deeper or holds more values than the limits. One pass over
 * the bytes, skipping strings; malformed JSON is left for JSON.parse to refuse.
 */
export function checkJsonShape(body: Buffer, limits = JSON_SHAPE_LIMITS): void {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limits.maxDepth) {
        throw new JsonShapeError(`The request body nests JSON deeper than ${limits.maxDepth} levels.`);
      }
      values++;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    } else if (byte === COMMA && ++values > limits.maxValues) {
      throw new JsonShapeError(`The request body holds more than ${limits.maxValues} JSON values.`);
    }
  }
}
