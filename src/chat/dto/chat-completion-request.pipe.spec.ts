import { Body, Controller, HttpCode, INestApplication, Post } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ApiExceptionFilter } from '../../common/filters/api-exception.filter';
import { appConfig } from '../../config/app.config';
import type { ChatCompletionRequest } from './chat-completion-request';
import { ChatCompletionRequestPipe } from './chat-completion-request.pipe';

@Controller('v1/chat')
class EchoController {
  @Post('completions')
  @HttpCode(200)
  echo(@Body(ChatCompletionRequestPipe) body: ChatCompletionRequest): ChatCompletionRequest {
    return body;
  }
}

describe('ChatCompletionRequestPipe', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [EchoController],
      providers: [
        { provide: appConfig.KEY, useValue: { maxMessages: 3, maxPromptChars: 100 } },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(() => app.close());

  it('should keep the extension fields a whitelisting DTO class would strip', async () => {
    const response = await request(app.getHttpServer())
      .post('/v1/chat/completions')
      .send({
        model: 'deepseek-chat',
        messages: [
          { role: 'assistant', content: null, reasoning_content: 'r' },
          { role: 'user', content: 'Hi' },
        ],
        thinking: { type: 'enabled' },
        conversation_id: '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@2',
        unknown_vendor_field: true,
      })
      .expect(200);
    expect(response.body).toMatchObject({
      thinking: 'enabled',
      conversation: { sessionId: '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e', messageId: 2 },
      messages: [{ reasoningContent: 'r' }, { content: 'Hi' }],
    });
  });

  it('should answer a malformed body with the exact OpenAI error', async () => {
    const response = await request(app.getHttpServer())
      .post('/v1/chat/completions')
      .send({ model: 'deepseek-chat', messages: [{ content: 'Hi' }] })
      .expect(400);
    expect(response.body).toEqual({
      error: {
        message: "Missing required parameter: 'messages[0].role'.",
        type: 'invalid_request_error',
        param: 'messages[0].role',
        code: 'missing_required_parameter',
      },
    });
  });

  it('should apply the configured message limit', async () => {
    const response = await request(app.getHttpServer())
      .post('/v1/chat/completions')
      .send({ model: 'm', messages: Array(4).fill({ role: 'user', content: 'x' }) })
      .expect(400);
    expect(response.body.error).toMatchObject({ param: 'messages', code: 'array_above_max_length' });
  });

  it('should answer a JSON array body with a 400, not a 500', async () => {
    const response = await request(app.getHttpServer()).post('/v1/chat/completions').send([1, 2]).expect(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param: null });
  });
});
