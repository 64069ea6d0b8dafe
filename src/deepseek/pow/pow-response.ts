import { PowChallenge } from './pow-challenge';

/**
 * The `X-Ds-Pow-Response` header value (docs/protocol.md §6.4): standard base64 of compact JSON with the keys
 * in the order the web client sends them. `answer` is a JSON number; the other values are echoed verbatim.
 */
export function encodePowResponse(challenge: PowChallenge, answer: number): string {
  const body = {
    algorithm: challenge.algorithm,
    challenge: challenge.challenge,
    salt: challenge.salt,
    answer,
    signature: challenge.signature,
    target_path: challenge.targetPath,
  };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}
