import { registerAs } from '@nestjs/config';
import { LOG_FORMATS, readEnvironment, splitList } from './environment';
import { parseByteSize } from './security-syntax';

const MB = 1024 * 1024;
/** Images DeepSeek reads, and the document types its web page accepts. */
const DEFAULT_ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/*',
  'application/json',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
];
import { DEFAULT_MODEL_ALIASES, type ModelAlias, parseModelAliases } from './model-aliases';

export type LogFormat = (typeof LOG_FORMATS)[number];

export const appConfig = registerAs('app', () => {
  const env = readEnvironment();
  return {
    port: env.PORT ?? 8000,
    host: env.HOST ?? '0.0.0.0',
    maxMessages: env.MAX_MESSAGES ?? 2000,
    maxPromptChars: env.MAX_PROMPT_CHARS ?? 1_000_000,
    keepAliveIntervalMs: env.KEEPALIVE_INTERVAL_MS ?? 15_000,
    /** Gather stream frames of this many ms into one write (0: write each frame at once). */
    streamCoalesceMs: env.STREAM_COALESCE_MS ?? 0,
    /** A streaming client that reads nothing for this long is cut, and its generation stopped (0: never). */
    clientWriteTimeoutMs: env.CLIENT_WRITE_TIMEOUT_MS ?? 60_000,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS ?? 10_000,
    metricsToken: env.METRICS_TOKEN,
    /** Protects `GET /admin/accounts`; without it the route does not exist. */
    adminToken: env.ADMIN_TOKEN,
    /** A model mode the accounts cannot use (expert) is a 400 instead of a fallback to the default mode. */
    strictModels: env.STRICT_MODELS === 'true',
    /** Image, audio and file parts of messages are dropped instead of refused with a 400. */
    dropUnsupportedParts: env.DROP_UNSUPPORTED_PARTS === 'true',
    /** Images and files clients attach (docs/api.md): limits per request, and how URLs are fetched. */
    attachments: {
      maxCount: env.ATTACHMENT_MAX_COUNT ?? 8,
      maxFileBytes: parseByteSize(env.ATTACHMENT_MAX_BYTES ?? '10mb') ?? 10 * MB,
      maxTotalBytes: parseByteSize(env.ATTACHMENT_MAX_TOTAL_BYTES ?? '20mb') ?? 20 * MB,
      allowedTypes: env.ATTACHMENT_TYPES ? splitList(env.ATTACHMENT_TYPES.toLowerCase()) : DEFAULT_ATTACHMENT_TYPES,
      /** Total time for fetching one URL, redirects included. */
      fetchTimeoutMs: env.FETCH_TIMEOUT_MS ?? 15_000,
      fetchMaxRedirects: 3,
      /** Private, loopback and link-local addresses may be fetched (off: no SSRF into the server's network). */
      fetchAllowPrivate: env.FETCH_ALLOW_PRIVATE === 'true',
      /** How long an upload may take to be parsed by DeepSeek (`fetch_files` until SUCCESS). */
      uploadTimeoutMs: env.FILE_UPLOAD_TIMEOUT_MS ?? 60_000,
      /** The same bytes on the same account are not uploaded again for this long. */
      uploadCacheTtlMs: 60 * 60_000,
    },
    /** Stored Responses API responses (`store: true`) kept in memory: at most this many (0: none kept)… */
    responsesStoreMaxEntries: env.RESPONSES_STORE_MAX_ENTRIES ?? 1000,
    /** …each for this long. */
    responsesStoreTtlMs: (env.RESPONSES_STORE_TTL_SECONDS ?? 3600) * 1000,
    /** Client model names (Anthropic's `claude-*`) mapped to ours; validated by the environment check. */
    modelAliases: parseModelAliases(env.MODEL_ALIASES ?? DEFAULT_MODEL_ALIASES) as ModelAlias[],
    logLevel: env.LOG_LEVEL ?? 'info',
    /** Unless LOG_FORMAT says otherwise: readable lines for a person at a terminal, JSON lines for everything else. */
    logFormat: (env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) as LogFormat,
  };
});

export type AppConfig = ReturnType<typeof appConfig>;
