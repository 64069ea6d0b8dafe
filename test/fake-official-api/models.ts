export const DEFAULT_MODELS: readonly string[] = [
  'deepseek-chat',
  'deepseek-reasoner',
  'deepseek-v4-flash',
  'deepseek-v4-pro',
];

export function modelList(models: readonly string[]): { object: 'list'; data: object[] } {
  return { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'deepseek' })) };
}

/**
 * deepseek-reasoner always thinks and deepseek-chat never does; any other model (the v4 ones) thinks
 * unless the body says `thinking: {type: "disabled"}`: the docs enable thinking mode by default.
 */
export function thinks(model: string, thinking: unknown): boolean {
  if (model === 'deepseek-reasoner') return true;
  if (model === 'deepseek-chat') return false;
  const type = typeof thinking === 'object' && thinking !== null ? (thinking as { type?: unknown }).type : undefined;
  return type !== 'disabled';
}
