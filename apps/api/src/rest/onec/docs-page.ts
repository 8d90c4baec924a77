import type { oas31 } from 'zod-openapi';

/**
 * A self-contained HTML page of an OpenAPI 3.1 document (no scripts, no CDN): each
 * operation with its parameters, body, answers and examples, then the schemas. Enough for
 * a 1C developer to read the API offline.
 */

const escapeHtml = (value: unknown): string =>
  String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** A small Markdown subset (paragraphs, `-` lists, `code`, **bold**) for descriptions. */
function markdown(text: string | undefined): string {
  if (!text) return '';
  const inline = (line: string) =>
    escapeHtml(line)
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
  const blocks = text.split(/\n{2,}/);
  return blocks
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((line) => /^\s*- /.test(line))) {
        return `<ul>${lines.map((line) => `<li>${inline(line.replace(/^\s*- /, ''))}</li>`).join('')}</ul>`;
      }
      return `<p>${inline(block)}</p>`;
    })
    .join('\n');
}

type Schema = oas31.SchemaObject | oas31.ReferenceObject;

const isRef = (value: unknown): value is oas31.ReferenceObject =>
  typeof value === 'object' && value !== null && '$ref' in value;

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

function schemaType(schema: Schema | undefined): string {
  if (!schema) return '';
  if (isRef(schema)) {
    const name = refName(schema.$ref);
    return `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;
  }
  if (schema.anyOf || schema.oneOf) {
    return (schema.anyOf ?? schema.oneOf ?? []).map((item) => schemaType(item)).join(' | ');
  }
  if (schema.enum)
    return schema.enum.map((value) => `<code>${escapeHtml(value)}</code>`).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
  if (type === 'array' && schema.items) return `array of ${schemaType(schema.items)}`;
  const details = [
    schema.format,
    schema.pattern ? `pattern <code>${escapeHtml(schema.pattern)}</code>` : null,
    schema.minLength !== undefined ? `min length ${schema.minLength}` : null,
    schema.maxLength !== undefined ? `max length ${schema.maxLength}` : null,
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : null,
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : null,
  ].filter(Boolean);
  return `${escapeHtml(type)}${details.length ? ` <span class="muted">(${details.join(', ')})</span>` : ''}`;
}

function propertiesTable(schema: oas31.SchemaObject): string {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(properties)
    .map(
      ([name, property]) =>
        `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td>${schemaType(property)}</td><td>${markdown(isRef(property) ? undefined : property.description)}</td></tr>`,
    )
    .join('');
  const closed =
    schema.additionalProperties === false
      ? '<p class="muted">No other fields are accepted.</p>'
      : '';
  return `<table><thead><tr><th>field</th><th>type</th><th>notes</th></tr></thead><tbody>${rows}</tbody></table>${closed}`;
}

function example(value: unknown): string {
  if (value === undefined) return '';
  return `<details><summary>example</summary><pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre></details>`;
}

function operationHtml(method: string, path: string, operation: oas31.OperationObject): string {
  const parameters = (operation.parameters ?? []).filter(
    (parameter): parameter is oas31.ParameterObject => !isRef(parameter),
  );
  const parameterRows = parameters
    .map(
      (parameter) =>
        `<tr><td><code>${escapeHtml(parameter.name)}</code>${parameter.required ? ' <span class="req">required</span>' : ''}</td><td>${escapeHtml(parameter.in)}</td><td>${schemaType(parameter.schema)}</td><td>${markdown(parameter.description)}</td></tr>`,
    )
    .join('');
  const body =
    operation.requestBody && !isRef(operation.requestBody)
      ? operation.requestBody.content['application/json']
      : undefined;
  const responses = Object.entries(operation.responses ?? {})
    .map(([status, response]) => {
      if (isRef(response)) return '';
      const media = response.content?.['application/json'];
      return `<tr><td><strong>${escapeHtml(status)}</strong></td><td>${schemaType(media?.schema)}</td><td>${markdown(response.description)}${example(media?.example)}</td></tr>`;
    })
    .join('');
  const anchor = operation.operationId ?? `${method}-${path}`;
  return `<section class="operation" id="op-${escapeHtml(anchor)}">
<h2><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h2>
<p class="summary">${escapeHtml(operation.summary ?? '')}</p>
${markdown(operation.description)}
${parameterRows ? `<h3>Parameters</h3><table><thead><tr><th>name</th><th>in</th><th>type</th><th>notes</th></tr></thead><tbody>${parameterRows}</tbody></table>` : ''}
${body ? `<h3>Body</h3><p>JSON: ${schemaType(body.schema)}</p>${example(body.example)}` : ''}
<h3>Answers</h3><table><thead><tr><th>status</th><th>body</th><th>when</th></tr></thead><tbody>${responses}</tbody></table>
</section>`;
}

export function renderOpenApiHtml(document: oas31.OpenAPIObject): string {
  const operations: string[] = [];
  const index: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operations.push(operationHtml(method, path, operation));
      index.push(
        `<li><a href="#op-${escapeHtml(operation.operationId ?? `${method}-${path}`)}"><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></a> — ${escapeHtml(operation.summary ?? '')}</li>`,
      );
    }
  }
  const schemas = Object.entries(document.components?.schemas ?? {})
    .map(([name, schema]) =>
      isRef(schema)
        ? ''
        : `<section class="schema" id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${markdown(schema.description)}${schema.properties ? propertiesTable(schema) : `<p>${schemaType(schema)}</p>`}</section>`,
    )
    .join('\n');
  const security = Object.entries(document.components?.securitySchemes ?? {})
    .map(([name, scheme]) =>
      isRef(scheme)
        ? ''
        : `<li><code>${escapeHtml(name)}</code>: ${escapeHtml(scheme.type)}${scheme.in ? ` in ${escapeHtml(scheme.in)} <code>${escapeHtml(scheme.name ?? '')}</code>` : ''} — ${escapeHtml(scheme.description ?? '')}</li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)}</title>
<style>
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1000px; padding: 24px; color: #1d2330; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #f4f6f9; padding: 12px; overflow-x: auto; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; }
th, td { border: 1px solid #dde2ea; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f4f6f9; font-weight: 600; }
.operation { border-top: 2px solid #dde2ea; margin-top: 32px; padding-top: 8px; }
.method { display: inline-block; min-width: 52px; text-align: center; border-radius: 4px; padding: 1px 6px; color: #fff; font-size: 13px; font-weight: 700; }
.method.get { background: #2f7d32; } .method.post { background: #1f5fbf; }
.summary { font-size: 17px; font-weight: 600; margin: 4px 0; }
.req { color: #b3261e; font-size: 12px; }
.muted { color: #687080; font-size: 13px; }
a { color: #1f5fbf; }
</style>
</head>
<body>
<h1>${escapeHtml(document.info.title)}</h1>
<p class="muted">Version ${escapeHtml(document.info.version)} · OpenAPI ${escapeHtml(document.openapi)} · machine-readable: <a href="openapi.json">openapi.json</a></p>
${markdown(document.info.description)}
<h2>Authentication</h2><ul>${security}</ul>
<h2>Operations</h2><ul>${index.join('')}</ul>
${operations.join('\n')}
<h2 class="operation">Schemas</h2>
${schemas}
</body>
</html>
`;
}
