import { Module } from '@nestjs/common';
import { SseResponseService } from './sse-response.service';

@Module({ providers: [SseResponseService], exports: [SseResponseService] })
export class SseModule {}
