import { resolveModel } from '../chat/models';
import { apiModelFor } from './api-models';

const ALL = ['deepseek-chat', 'deepseek-reasoner', 'deepseek-v4-flash', 'deepseek-v4-pro'];
const FLASH_ONLY = ['deepseek-chat', 'deepseek-reasoner', 'deepseek-v4-flash'];
const LEGACY = ['deepseek-chat', 'deepseek-reasoner'];
const thinking = { thinking: true, modelType: 'default' } as const;
const plain = { thinking: false, modelType: 'default' } as const;
const expert = { thinking: false, modelType: 'expert' } as const;
const expertThinking = { thinking: true, modelType: 'expert' } as const;

describe('apiModelFor', () => {
  describe('a name the API serves', () => {
    it.each(['deepseek-chat', 'deepseek-reasoner'])('should pass %s unchanged, without a thinking switch', (name) => {
      expect(apiModelFor(name, thinking, ALL)).toEqual({ model: name, thinking: null, fellBack: false });
      expect(apiModelFor(name, expert, ALL)).toEqual({ model: name, thinking: null, fellBack: false });
    });

    it.each(['deepseek-v4-flash', 'deepseek-v4-pro'])('should pass %s unchanged, with the thinking switch', (name) => {
      expect(apiModelFor(name, thinking, ALL)).toEqual({ model: name, thinking: 'enabled', fellBack: false });
      expect(apiModelFor(name, plain, ALL)).toEqual({ model: name, thinking: 'disabled', fellBack: false });
    });

    it('should pass any other name the API lists unchanged, with the thinking switch', () => {
      expect(apiModelFor('deepseek-v5', plain, [...ALL, 'deepseek-v5'])).toEqual({
        model: 'deepseek-v5',
        thinking: 'disabled',
        fellBack: false,
      });
    });

    it('should not pass a V4 id the API does not list', () => {
      expect(apiModelFor('deepseek-v4-pro', resolveModel('deepseek-v4-pro'), FLASH_ONLY)).toEqual({
        model: 'deepseek-v4-flash',
        thinking: 'disabled',
        fellBack: true,
      });
    });
  });

  describe('any other name, by its flags', () => {
    it('should give the expert flag deepseek-v4-pro when served', () => {
      expect(apiModelFor('deepseek-v4-pro-search', expert, ALL)).toEqual({
        model: 'deepseek-v4-pro',
        thinking: 'disabled',
        fellBack: false,
      });
      expect(apiModelFor('deepseek-expert-think', expertThinking, ALL)).toEqual({
        model: 'deepseek-v4-pro',
        thinking: 'enabled',
        fellBack: false,
      });
    });

    it('should give the expert flag deepseek-v4-flash, marked as a fallback, when pro is not served', () => {
      expect(apiModelFor('deepseek-pro-think', expertThinking, FLASH_ONLY)).toEqual({
        model: 'deepseek-v4-flash',
        thinking: 'enabled',
        fellBack: true,
      });
    });

    it('should give names without the expert flag deepseek-v4-flash, with the thinking switch', () => {
      expect(apiModelFor('deepseek-r1-search', thinking, ALL)).toEqual({
        model: 'deepseek-v4-flash',
        thinking: 'enabled',
        fellBack: false,
      });
      expect(apiModelFor('gpt-4o', plain, ALL)).toEqual({
        model: 'deepseek-v4-flash',
        thinking: 'disabled',
        fellBack: false,
      });
    });

    it('should read the flags of real model names as the web path does', () => {
      expect(apiModelFor('deepseek-v4-pro-think', resolveModel('deepseek-v4-pro-think'), ALL)).toEqual({
        model: 'deepseek-v4-pro',
        thinking: 'enabled',
        fellBack: false,
      });
    });
  });

  describe('an API that lists only the legacy ids', () => {
    it('should give thinking requests deepseek-reasoner and the others deepseek-chat, without a switch', () => {
      expect(apiModelFor('deepseek-r1', thinking, LEGACY)).toEqual({
        model: 'deepseek-reasoner',
        thinking: null,
        fellBack: false,
      });
      expect(apiModelFor('deepseek-v4-flash', plain, LEGACY)).toEqual({
        model: 'deepseek-chat',
        thinking: null,
        fellBack: false,
      });
    });

    it('should mark an expert request there as a fallback', () => {
      expect(apiModelFor('deepseek-v4-pro', expertThinking, LEGACY)).toEqual({
        model: 'deepseek-reasoner',
        thinking: null,
        fellBack: true,
      });
    });
  });
});
