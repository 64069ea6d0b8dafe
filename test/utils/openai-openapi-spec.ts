import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { SHARED_DIR } from './shared-fixtures';

/** OpenAI's OpenAPI 3.1 description, beside the repo in ../shared; never copied into the repo. */
export const OPENAPI_FILE = join(SHARED_DIR, 'spec', 'openai-openapi.yaml');
export const hasOpenApiSpec = existsSync(OPENAPI_FILE);

/** `describe` when the spec is present; otherwise a skipped block that says why. */
export const describeWithOpenApiSpec: jest.Describe = hasOpenApiSpec
  ? describe
  : (((name: string, fn: () => void) =>
      describe.skip(
        `${name} (skipped: ${OPENAPI_FILE} is absent; it ships beside the repo as ../shared)`,
        fn,
      )) as jest.Describe);

/**
 * The OpenAPI 3.0 leftover `nullable: true` as JSON Schema 2020-12 says it: a single-type node gains
 * `null` in its type (and enum), any other node becomes `anyOf: [node, {type: 'null'}]`.
 */
function withoutNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNullable);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const walked = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, withoutNullable(value)]));
  if (nullable !== true) return walked;
  if (typeof walked.type === 'string') {
    walked.type = [walked.type, 'null'];
    if (Array.isArray(walked.enum)) walked.enum = [...(walked.enum as unknown[]), null];
    return walked;
  }
  return { anyOf: [walked, { type: 'null' }] };
}

/** Validators for the spec's component schemas, by name; the spec is read and compiled once. */
export class OpenApiSchemas {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Stream event type → the schema of that one event (a member of ResponseStreamEvent). */
  private readonly streamEventSchemas = new Map<string, string>();

  constructor() {
    const spec = withoutNullable(parse(readFileSync(OPENAPI_FILE, 'utf8'), { maxAliasCount: -1 })) as object;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    for (const format of ['unixtime', 'double', 'float', 'binary']) this.ajv.addFormat(format, () => true);
    this.ajv.addSchema({ ...spec, $id: 'openai' });
    const components = (spec as { components: { schemas: Record<string, any> } }).components.schemas;
    for (const member of components.ResponseStreamEvent.anyOf as { $ref: string }[]) {
      const name = member.$ref.split('/').at(-1)!;
      const type: unknown = components[name]?.properties?.type?.enum?.[0];
      if (typeof type === 'string') this.streamEventSchemas.set(type, name);
    }
  }

  /**
   * The errors of one stream event against the member of `ResponseStreamEvent` its `type` names (the
   * union's own errors list every member), then against the union itself.
   */
  streamEventErrors(event: { type: string; [field: string]: unknown }): string[] {
    const name = this.streamEventSchemas.get(event.type);
    if (!name) return [`no ResponseStreamEvent member has type ${event.type}`];
    const errors = this.errors(name, event);
    return errors.length > 0 ? errors : this.errors('ResponseStreamEvent', event);
  }

  /** The validation errors of `value` against `#/components/schemas/<name>` as text; [] when it is valid. */
  errors(name: string, value: unknown): string[] {
    let validate = this.compiled.get(name);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openai#/components/schemas/${name}` });
      this.compiled.set(name, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
  }
}
