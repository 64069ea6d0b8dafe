/** Wall-clock ms with sub-ms precision, comparable between the processes of one machine. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();
