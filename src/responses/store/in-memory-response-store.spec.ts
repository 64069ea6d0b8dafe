import type { ResponseObject } from '../wire/responses-types';
import { InMemoryResponseStore } from './in-memory-response-store';
import type { StoredResponse } from './response-store';

const owner = { caller: 'key-hash', accountIds: ['a1'] };

function record(id: string, itemId = `msg_${id}`): StoredResponse {
  const response = {
    id,
    output: [{ id: itemId, type: 'message', role: 'assistant', status: 'completed', content: [] }],
  } as unknown as ResponseObject;
  return { owner, response, history: [] };
}

describe('InMemoryResponseStore', () => {
  it('should keep responses and find their output items by id', async () => {
    const store = new InMemoryResponseStore({ responsesStoreMaxEntries: 10, responsesStoreTtlMs: 60_000 });
    await store.save(record('resp_1'));

    expect((await store.get('resp_1'))?.response.id).toBe('resp_1');
    expect((await store.findItem('msg_resp_1'))?.item.id).toBe('msg_resp_1');
    expect(await store.findItem('msg_other')).toBeUndefined();
  });

  it('should drop the least recently used response beyond its cap, and its items with it', async () => {
    const store = new InMemoryResponseStore({ responsesStoreMaxEntries: 2, responsesStoreTtlMs: 60_000 });
    await store.save(record('resp_1'));
    await store.save(record('resp_2'));
    await store.get('resp_1');
    await store.save(record('resp_3'));

    expect(await store.get('resp_2')).toBeUndefined();
    expect(await store.findItem('msg_resp_2')).toBeUndefined();
    expect(await store.get('resp_1')).toBeDefined();
  });

  it('should forget a deleted response and its items', async () => {
    const store = new InMemoryResponseStore({ responsesStoreMaxEntries: 10, responsesStoreTtlMs: 60_000 });
    await store.save(record('resp_1'));

    expect(await store.delete('resp_1')).toBe(true);
    expect(await store.delete('resp_1')).toBe(false);
    expect(await store.findItem('msg_resp_1')).toBeUndefined();
  });

  it('should keep nothing with a cap of 0', async () => {
    const store = new InMemoryResponseStore({ responsesStoreMaxEntries: 0, responsesStoreTtlMs: 60_000 });
    await store.save(record('resp_1'));

    expect(await store.get('resp_1')).toBeUndefined();
  });
});
