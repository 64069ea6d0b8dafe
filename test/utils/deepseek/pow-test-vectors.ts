import { PowChallenge } from '../../../src/deepseek/pow/pow-challenge';

// Solve vectors from shared/fixtures/pow-vectors.json, shared by the PoW specs and the bench. The first four
// were confirmed against DeepSeek's own solver; the others come from our reference implementation.
export const POW_SOLVE_VECTORS = [
  vector(
    'ca4cac59aed9c714506b',
    1787047163088,
    144000,
    '48b8ca19d8015666f108b66d01d647269db9ab5d69d60fcd07ddbaa5b9c391e6',
    32012,
  ),
  vector(
    '0123456789abcdef0123',
    1700000000000,
    144000,
    'c80ff74357fc21bee90118dcbe5517114291363c868ec17a9bc4d0fe13e0afb0',
    0,
  ),
  vector(
    '0123456789abcdef0123',
    1700000000000,
    144000,
    'e3f5613008b1680a4673405c42d2631bdead41da5070dac34d7ec385b5c9da5e',
    42,
  ),
  vector(
    '0123456789abcdef0123',
    1700000000000,
    144000,
    '49fb336330ea8af8e46df669a1fe34016de2755469cf401ee44a9f637903c3fc',
    143999,
  ),
  vector(
    'a1b2c3d4e5f60718293a',
    1764140000000,
    144000,
    'a8f0a04b72c8d3af44d1eb86dac82d5a8414070c8c4307015cc232aae25fba98',
    1,
  ),
  vector(
    '8f14e45fceea167a5a36',
    1764140123456,
    144000,
    '7e0c4fb8fa304978ad2410d995d9622dbf8448cd7908023aa5463d2bdd84505e',
    71234,
  ),
  vector(
    '45c48cce2e2d7fbdea1a',
    1700000000000,
    1000,
    'd4981348939b50743d9c603575eae81a226617eb6dacfd0c9bad48e691c8c7d5',
    999,
  ),
  vector(
    'd3d9446802a44259755d38e6d163e820',
    1776000000000,
    250000,
    '5be1123f66036891605a2dc500502f01303c4855d82fa2c1f625d8ebe4ac18a5',
    200001,
  ),
];

/** The challenge is the hash of nonce 144000, which lies just outside [0, difficulty). */
export const POW_NO_ANSWER = powChallenge({
  salt: '0123456789abcdef0123',
  expireAt: 1700000000000,
  difficulty: 144000,
  challenge: 'ed994b97e6cfb1158ae905740b3df06c7ca1abd9b4c823e8a3f3a072e2aa7f48',
});

/** The worst realistic case: the answer is the last nonce tried. */
export const POW_WORST_CASE = POW_SOLVE_VECTORS[3];

export function powChallenge(
  fields: Pick<PowChallenge, 'salt' | 'expireAt' | 'difficulty' | 'challenge'>,
): PowChallenge {
  return {
    algorithm: 'DeepSeekHashV1',
    signature: '0'.repeat(64),
    targetPath: '/api/v0/chat/completion',
    ...fields,
  };
}

function vector(salt: string, expireAt: number, difficulty: number, challenge: string, answer: number) {
  return { challenge: powChallenge({ salt, expireAt, difficulty, challenge }), answer };
}
