/** The model types the web chat knows; anything else is refused on completion. */
export const MODEL_TYPES = ['default', 'expert', 'vision'] as const;

export const INPUT_CHARACTER_LIMIT = 2621440;
export const AUTHED_POW_FUNCTIONS = ['search', 'deep_think', 'completion', 'file'];

export function isKnownModelType(modelType: string): boolean {
  return (MODEL_TYPES as readonly string[]).includes(modelType);
}

/** `client/settings?scope=model`: every type, switched off when configured unavailable. */
export function modelConfigs(unavailableModels: readonly string[]) {
  return MODEL_TYPES.map((modelType) => {
    const available = !unavailableModels.includes(modelType);
    return {
      model_type: modelType,
      enabled: available,
      switchable: available,
      input_character_limit: INPUT_CHARACTER_LIMIT,
      authed_pow_functions: [...AUTHED_POW_FUNCTIONS],
    };
  });
}
