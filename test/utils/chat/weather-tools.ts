import { tool } from 'ai';
import { z } from 'zod';

/** What the two example tools return; the fake's tool loop (toolLoopModel) answers with them in its final text. */
export const weatherIn = (city: string): string => `sunny, 21°C in ${city}`;
export const timeIn = (timezone: string): string => `14:05 in ${timezone}`;

/** `get_weather` and `get_time` as AI SDK tools; each run is recorded in `ran` (`get_weather Paris`). */
export function aiSdkWeatherTools(ran: string[]) {
  return {
    get_weather: tool({
      description: 'Weather now',
      inputSchema: z.object({ city: z.string() }),
      execute: ({ city }) => {
        ran.push(`get_weather ${city}`);
        return weatherIn(city);
      },
    }),
    get_time: tool({
      description: 'Local time',
      inputSchema: z.object({ timezone: z.string() }),
      execute: ({ timezone }) => {
        ran.push(`get_time ${timezone}`);
        return timeIn(timezone);
      },
    }),
  };
}
