import { ValidateBy } from 'class-validator';

/**
 * One rule per variable, each with one description of what it accepts, so a bad value reads as one
 * sentence (`PORT: "abc" is not a whole number between 0 and 65535`) instead of a list of
 * class-validator constraints that contradict each other.
 */
export function Accepts(expected: string, test: (value: unknown) => boolean): PropertyDecorator {
  return ValidateBy({ name: 'accepts', validator: { validate: test, defaultMessage: () => expected } });
}

/** A whole number from `min` (to `max`); the value was parsed by `toInt` first. */
export function WholeNumber(min: number, max?: number): PropertyDecorator {
  const range = max === undefined ? `of ${min} or more` : `between ${min} and ${max}`;
  return Accepts(
    `a whole number ${range}`,
    (value) =>
      Number.isSafeInteger(value) && (value as number) >= min && (max === undefined || (value as number) <= max),
  );
}

export function OneOf(values: readonly string[]): PropertyDecorator {
  return Accepts(`one of ${values.join(', ')}`, (value) => typeof value === 'string' && values.includes(value));
}

export function HttpUrl(): PropertyDecorator {
  return Accepts('an http:// or https:// URL', (value) => {
    if (typeof value !== 'string') return false;
    try {
      const { protocol, hostname } = new URL(value);
      return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
    } catch {
      return false;
    }
  });
}

/** The value must parse with `parse` (null: it does not). */
export function ParsesWith(parse: (text: string) => unknown, expected: string): PropertyDecorator {
  return Accepts(expected, (value) => typeof value === 'string' && parse(value) !== null);
}
