import { Controller, HttpCode, INestApplication, Post, UseGuards } from '@nestjs/common';
import request from 'supertest';
import { Account, accountIdOf } from '../pool/account';
import { AccountsGuard } from './accounts.guard';
import { RequestAccounts } from './request-credentials.decorator';
import { startTokensApp } from '../../../test/utils/tokens/start-tokens-app';

/** Stands in for the chat controller: guarded, reads the accounts, answers their ids. */
@Controller('probe')
class ProbeController {
  @Post()
  @HttpCode(200)
  @UseGuards(AccountsGuard)
  probe(@RequestAccounts() accounts: readonly Account[]): { ids: string[] } {
    return { ids: accounts.map((account) => account.id) };
  }

  @Post('unguarded')
  unguarded(@RequestAccounts() accounts: readonly Account[]): number {
    return accounts.length;
  }
}

describe('AccountsGuard with @RequestAccounts()', () => {
  let app: INestApplication;

  afterEach(() => app.close());

  it('should hand the request accounts to the handler', async () => {
    app = await startTokensApp({ controllers: [ProbeController] });
    const res = await request(app.getHttpServer())
      .post('/probe')
      .set('authorization', 'Bearer tok-a,tok-b')
      .send({})
      .expect(200);
    expect(res.body).toEqual({ ids: [accountIdOf('tok-a'), accountIdOf('tok-b')] });
  });

  it('should answer 401 with an OpenAI error body when credentials are missing', async () => {
    app = await startTokensApp({ controllers: [ProbeController] });
    const res = await request(app.getHttpServer()).post('/probe').send({}).expect(401);
    expect(res.body).toEqual({
      error: {
        message: expect.stringContaining('DeepSeek token'),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
  });

  it('should answer 401 to a wrong API key in managed mode, and give the server accounts to a right one', async () => {
    app = await startTokensApp({
      controllers: [ProbeController],
      config: { apiKeys: ['key-one'], serverTokens: ['tok-server'] },
    });
    await request(app.getHttpServer()).post('/probe').set('x-api-key', 'key-two').send({}).expect(401);
    const res = await request(app.getHttpServer()).post('/probe').set('x-api-key', 'key-one').send({}).expect(200);
    expect(res.body).toEqual({ ids: [accountIdOf('tok-server')] });
  });

  it('should fail loudly (500) when a route reads the accounts without the guard', async () => {
    app = await startTokensApp({ controllers: [ProbeController] });
    await request(app.getHttpServer())
      .post('/probe/unguarded')
      .set('authorization', 'Bearer tok-a')
      .send({})
      .expect(500);
  });
});
