import { encodePowResponse } from './pow-response';
import { POW_SOLVE_VECTORS } from '../../../test/utils/deepseek/pow-test-vectors';

describe('encodePowResponse', () => {
  it('should produce the example header of docs/protocol.md §6.4', () => {
    const { challenge } = POW_SOLVE_VECTORS[0];

    expect(encodePowResponse(challenge, 32012)).toBe(
      'eyJhbGdvcml0aG0iOiJEZWVwU2Vla0hhc2hWMSIsImNoYWxsZW5nZSI6IjQ4YjhjYTE5ZDgwMTU2NjZmMTA4YjY2ZDAxZDY0NzI2OWRiOWFiNWQ2OWQ2MGZjZDA3ZGRiYWE1YjljMzkxZTYiLCJzYWx0IjoiY2E0Y2FjNTlhZWQ5YzcxNDUwNmIiLCJhbnN3ZXIiOjMyMDEyLCJzaWduYXR1cmUiOiIwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwIiwidGFyZ2V0X3BhdGgiOiIvYXBpL3YwL2NoYXQvY29tcGxldGlvbiJ9',
    );
  });

  it('should send the answer as a JSON number and echo the other fields verbatim', () => {
    const challenge = { ...POW_SOLVE_VECTORS[0].challenge, salt: 'sält"', targetPath: '/api/v0/file/upload_file' };

    const decoded = Buffer.from(encodePowResponse(challenge, 7), 'base64').toString('utf8');

    expect(decoded).toBe(
      '{"algorithm":"DeepSeekHashV1","challenge":"48b8ca19d8015666f108b66d01d647269db9ab5d69d60fcd07ddbaa5b9c391e6",' +
        `"salt":"sält\\"","answer":7,"signature":"${'0'.repeat(64)}","target_path":"/api/v0/file/upload_file"}`,
    );
  });
});
