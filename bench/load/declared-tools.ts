/**
 * What the tools phases of scenario 2 add to the chat request: three function tools with JSON-schema
 * parameters, as an agent client would declare them, and `tool_choice: "auto"`. The fake answers plain
 * text, so no tool is called: the phases measure what declaring tools costs (the tool prompt, the markup
 * parser over every content delta), not a call.
 */
export const DECLARED_TOOLS_FIELDS: Readonly<Record<string, unknown>> = {
  tools: [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Current weather for a city.',
        parameters: {
          type: 'object',
          properties: {
            city: { type: 'string', description: 'City name, e.g. "Berlin".' },
            unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'Temperature unit.' },
          },
          required: ['city'],
          additionalProperties: false,
        },
      },
    },
    {
      type: 'function',
      function: {
        name: 'search_docs',
        description: 'Full-text search over the product documentation.',
        parameters: {
          type: 'object',
          properties: {
            query: { type: 'string', description: 'Search terms.' },
            max_results: { type: 'integer', minimum: 1, maximum: 20, description: 'How many hits to return.' },
            sections: { type: 'array', items: { type: 'string' }, description: 'Only these sections.' },
          },
          required: ['query'],
        },
      },
    },
    {
      type: 'function',
      function: {
        name: 'create_calendar_event',
        description: 'Adds an event to the user calendar.',
        parameters: {
          type: 'object',
          properties: {
            title: { type: 'string' },
            start: { type: 'string', format: 'date-time', description: 'ISO 8601 start time.' },
            duration_minutes: { type: 'integer', minimum: 5 },
            attendees: {
              type: 'array',
              items: {
                type: 'object',
                properties: { email: { type: 'string' }, optional: { type: 'boolean' } },
                required: ['email'],
              },
            },
          },
          required: ['title', 'start'],
        },
      },
    },
  ],
  tool_choice: 'auto',
};
