/** Options of `MetricsModule.forRoot()`. */
export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

/** Prefix of every series the gateway defines (the process and Node.js series keep their standard names). */
export const METRIC_PREFIX = 'deepseek_gateway_';
