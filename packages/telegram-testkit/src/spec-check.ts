import { readFileSync } from 'node:fs';

/**
 * Checks JSON values against the copied Bot API spec (spec/bot-api.subset.json): required fields
 * present, no fields the spec doesn't know, basic types (Integer, String, Boolean, True, Float,
 * arrays, nested objects, unions with subtypes such as ChatMember).
 */

export interface SpecField {
  name: string;
  types: string[];
  required: boolean;
  description: string;
}

export interface SpecEntry {
  name: string;
  href: string;
  description?: string[];
  fields?: SpecField[];
  returns?: string[];
  subtypes?: string[];
  subtype_of?: string[];
}

export interface BotApiSpec {
  source: string;
  version: string;
  release_date: string;
  methods: Record<string, SpecEntry>;
  types: Record<string, SpecEntry>;
}

let cached: BotApiSpec | undefined;

export function loadBotApiSpec(): BotApiSpec {
  cached ??= JSON.parse(
    readFileSync(new URL('../spec/bot-api.subset.json', import.meta.url), 'utf8'),
  ) as BotApiSpec;
  return cached;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Problems found when checking `value` as `typeExpression` (e.g. "Message", "Array of Update"). */
export function checkAgainstSpec(
  typeExpression: string,
  value: unknown,
  path = typeExpression,
  spec = loadBotApiSpec(),
): string[] {
  return checkUnion([typeExpression], value, path, spec);
}

/** Checks a method's `result` against the method's declared return type(s). */
export function checkMethodResult(
  method: string,
  result: unknown,
  spec = loadBotApiSpec(),
): string[] {
  const entry = spec.methods[method];
  if (!entry?.returns) return [`method ${method} is not in the copied spec`];
  return checkUnion(entry.returns, result, `${method}()`, spec);
}

function checkUnion(types: string[], value: unknown, path: string, spec: BotApiSpec): string[] {
  let best: string[] | undefined;
  for (const type of types) {
    const problems = checkType(type, value, path, spec);
    if (problems.length === 0) return [];
    if (!best || problems.length < best.length) best = problems;
  }
  return best ?? [`${path}: no type given`];
}

function checkType(type: string, value: unknown, path: string, spec: BotApiSpec): string[] {
  if (type.startsWith('Array of ')) {
    if (!Array.isArray(value)) return [`${path}: expected ${type}, got ${describe(value)}`];
    const inner = type.slice('Array of '.length);
    return value.flatMap((item, i) => checkType(inner, item, `${path}[${i}]`, spec));
  }
  switch (type) {
    case 'Integer':
      return Number.isInteger(value) ? [] : [`${path}: expected Integer, got ${describe(value)}`];
    case 'Float':
      return typeof value === 'number' ? [] : [`${path}: expected Float, got ${describe(value)}`];
    case 'String':
      return typeof value === 'string' ? [] : [`${path}: expected String, got ${describe(value)}`];
    case 'Boolean':
      return typeof value === 'boolean'
        ? []
        : [`${path}: expected Boolean, got ${describe(value)}`];
    case 'True':
      return value === true ? [] : [`${path}: expected True, got ${describe(value)}`];
    case 'InputFile':
      return [];
    default:
      return checkObject(type, value, path, spec);
  }
}

function checkObject(typeName: string, value: unknown, path: string, spec: BotApiSpec): string[] {
  const entry = spec.types[typeName];
  if (!entry) return [`${path}: type ${typeName} is not in the copied spec`];
  if (entry.subtypes && entry.subtypes.length > 0) {
    const attempts = entry.subtypes.map((sub) => checkObject(sub, value, path, spec));
    if (attempts.some((a) => a.length === 0)) return [];
    const discriminated = entry.subtypes.findIndex((sub) =>
      discriminatorMatches(spec.types[sub], value),
    );
    const chosen =
      discriminated >= 0
        ? attempts[discriminated]
        : attempts.reduce((a, b) => (b.length < a.length ? b : a));
    return chosen ?? [`${path}: matches no subtype of ${typeName}`];
  }
  if (!isPlainObject(value))
    return [`${path}: expected ${typeName} object, got ${describe(value)}`];
  const problems: string[] = [];
  const fields = entry.fields ?? [];
  const known = new Map(fields.map((f) => [f.name, f]));
  for (const field of fields) {
    if (field.required && value[field.name] === undefined)
      problems.push(`${path}.${field.name}: required field missing (${typeName})`);
  }
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = known.get(key);
    if (!field) {
      problems.push(`${path}.${key}: field not in spec type ${typeName}`);
      continue;
    }
    if (fieldValue === undefined) continue;
    problems.push(...checkUnion(field.types, fieldValue, `${path}.${key}`, spec));
    const always = alwaysValue(field);
    if (always !== undefined && fieldValue !== always)
      problems.push(
        `${path}.${key}: must always be "${always}", got ${JSON.stringify(fieldValue)}`,
      );
  }
  return problems;
}

function alwaysValue(field: SpecField): string | undefined {
  return /always [“"]([^”"]+)[”"]/.exec(field.description)?.[1];
}

function discriminatorMatches(entry: SpecEntry | undefined, value: unknown): boolean {
  if (!entry?.fields || !isPlainObject(value)) return false;
  return entry.fields.some((f) => {
    const always = alwaysValue(f);
    return always !== undefined && value[f.name] === always;
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${typeof value === 'object' ? '' : String(value)}`.trim();
}
