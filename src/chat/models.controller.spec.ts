import { INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiExceptionFilter } from '../common/filters/api-exception.filter';
import { createAccount } from '../tokens/pool/account';
import { CredentialsService } from '../tokens/auth/credentials.service';
import { ModelCapabilitiesService } from '../tokens/pool/model-capabilities.service';
import { OfficialApiService } from '../official-api/official-api.service';
import { ModelsController } from './models.controller';

async function startModelsApp(poolAccounts: unknown[], expert: boolean): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    controllers: [ModelsController],
    providers: [
      { provide: APP_FILTER, useClass: ApiExceptionFilter },
      { provide: CredentialsService, useValue: { poolAccounts } },
      { provide: ModelCapabilitiesService, useValue: { supports: () => Promise.resolve(expert) } },
      { provide: OfficialApiService, useValue: { mode: 'web', enabled: false } },
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('ModelsController', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startModelsApp([], false);
  });

  afterAll(() => app.close());

  it("should leave out the expert models when the server's accounts are known not to offer that mode", async () => {
    const managed = await startModelsApp([createAccount('tok-pool')], false);
    try {
      const ids = (await request(managed.getHttpServer()).get('/v1/models').expect(200)).body.data.map(
        (model: { id: string }) => model.id,
      );
      expect(ids).toEqual([
        'deepseek-chat',
        'deepseek-reasoner',
        'deepseek-v4-flash',
        'deepseek-chat-search',
        'deepseek-reasoner-search',
        'deepseek-v4-flash-search',
      ]);
    } finally {
      await managed.close();
    }
  });

  it('should list the models as JSON', async () => {
    const response = await request(app.getHttpServer()).get('/v1/models').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.object).toBe('list');
    expect(response.body.data).toContainEqual({
      id: 'deepseek-reasoner',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'deepseek',
    });
    expect(response.body.data).toHaveLength(8);
  });

  it('should return one model by id: canonical ids, names with flags, and any other name chat serves', async () => {
    const canonical = await request(app.getHttpServer()).get('/v1/models/deepseek-chat').expect(200);
    expect(canonical.body).toEqual({
      id: 'deepseek-chat',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'deepseek',
    });
    for (const id of ['deepseek-r1-search-silent', 'DeepSeek-V4-Pro-Search', 'gpt-4o', 'my model/v2']) {
      const found = await request(app.getHttpServer())
        .get(`/v1/models/${encodeURIComponent(id)}`)
        .expect(200);
      expect(found.body).toEqual({ ...canonical.body, id });
    }
  });

  it('should answer a name chat refuses (over 256 characters) with 404 model_not_found', async () => {
    const id = 'deepseek-'.padEnd(257, 'x');
    const response = await request(app.getHttpServer()).get(`/v1/models/${id}`).expect(404);
    expect(response.body).toEqual({
      error: {
        message: expect.stringMatching(/^The model `deepseek-x+…` does not exist or you do not have access to it\.$/),
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      },
    });
  });
});
