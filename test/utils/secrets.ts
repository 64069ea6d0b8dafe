/** Fails with the secret's position (never the secret itself) when one of `secrets` occurs in `text`. */
export function expectNoSecrets(text: string, secrets: readonly string[], where: string): void {
  const found = secrets.flatMap((secret, index) => (text.includes(secret) ? [`secret #${index + 1}`] : []));
  expect({ where, found }).toEqual({ where, found: [] });
}

/** Token lists that look like real ones and can be searched for in logs. */
export function makeTokens(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}-Zq8vT3kLmP0sWx7rYb2N`);
}
