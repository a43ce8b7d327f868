/**
 * The API reference at /docs, rendered on the server from the OpenAPI document: one self-contained HTML
 * page (inline CSS, no scripts, no CDN), so it works offline, under any CSP, and always matches
 * /openapi.json because it is made from it.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function obj(value: Json | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined
}

function str(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

const refName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1)
const anchor = (name: string): string => `schema-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`

/** A short type expression for a JSON schema, with links to named schemas. */
function typeOf(schema: JsonObject | undefined, depth = 0): string {
  if (!schema) return 'any'
  const ref = str(schema.$ref)
  if (ref) return `<a href="#${anchor(refName(ref))}">${escapeHtml(refName(ref))}</a>`
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key]
    if (Array.isArray(options)) return options.map((o) => typeOf(obj(o), depth + 1)).join(' | ')
  }
  const type = schema.type
  const types = Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : typeof type === 'string' ? [type] : []
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => escapeHtml(JSON.stringify(v))).join(' | ')
  if (types.includes('array')) return `${typeOf(obj(schema.items), depth + 1)}[]`
  if (types.includes('object') && depth < 2) {
    const props = obj(schema.properties)
    if (props && Object.keys(props).length > 0)
      return `{ ${Object.entries(props)
        .map(([k, v]) => `${escapeHtml(k)}: ${typeOf(obj(v), depth + 1)}`)
        .join(', ')} }`
    if (obj(schema.additionalProperties)) return `{ [key]: ${typeOf(obj(schema.additionalProperties), depth + 1)} }`
  }
  return types.length > 0 ? types.map(escape).join(' | ') : 'any'
}

function constraints(schema: JsonObject): string {
  const parts: string[] = []
  for (const [key, label] of [
    ['minLength', 'min length'],
    ['maxLength', 'max length'],
    ['minimum', 'min'],
    ['maximum', 'max'],
    ['pattern', 'pattern'],
  ] as const) {
    if (schema[key] !== undefined) parts.push(`${label} ${escapeHtml(String(schema[key]))}`)
  }
  if (schema.example !== undefined) parts.push(`e.g. <code>${escapeHtml(JSON.stringify(schema.example))}</code>`)
  return parts.join(', ')
}

function fieldTable(schema: JsonObject): string {
  const props = obj(schema.properties)
  if (!props) return `<p><code>${typeOf(schema)}</code></p>`
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [])
  const rows = Object.entries(props).map(([name, raw]) => {
    const field = obj(raw) ?? {}
    const note = [str(field.description) ? escapeHtml(str(field.description)!) : '', constraints(field)].filter(Boolean).join('; ')
    return `<tr><td><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td><code>${typeOf(field)}</code></td><td>${note}</td></tr>`
  })
  return `<table><thead><tr><th>field</th><th>type</th><th>notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function jsonSchemaOf(content: Json | undefined): JsonObject | undefined {
  return obj(obj(obj(content)?.['application/json'])?.schema)
}

function operationHtml(path: string, method: string, op: JsonObject): string {
  const id = `${method}-${path}`.replace(/[^A-Za-z0-9_-]/g, '-')
  const parts = [
    `<section class="op" id="${id}"><h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>`,
  ]
  if (str(op.summary)) parts.push(`<p class="summary">${escapeHtml(str(op.summary)!)}</p>`)
  if (str(op.description)) parts.push(`<p>${escapeHtml(str(op.description)!)}</p>`)
  parts.push(
    `<p class="auth">${Array.isArray(op.security) && op.security.length > 0 ? 'Needs an API key: <code>Authorization: Bearer &lt;key&gt;</code> or <code>X-API-Key: &lt;key&gt;</code>.' : 'No authentication.'}</p>`,
  )
  const params = Array.isArray(op.parameters) ? op.parameters.map(obj).filter((p): p is JsonObject => p !== undefined) : []
  if (params.length > 0) {
    const rows = params.map((p) => {
      const schema = obj(p.schema) ?? {}
      const note = [str(p.description) ?? str(schema.description) ?? '', constraints(schema)].filter(Boolean).join('; ')
      return `<tr><td><code>${escapeHtml(str(p.name) ?? '')}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${escapeHtml(str(p.in) ?? '')}</td><td><code>${typeOf(schema)}</code></td><td>${note}</td></tr>`
    })
    parts.push(
      `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th>notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    )
  }
  const body = jsonSchemaOf(obj(op.requestBody)?.content)
  if (body) parts.push(`<h4>Request body (JSON)</h4><p><code>${typeOf(body)}</code></p>`)
  const responses = obj(op.responses) ?? {}
  const rows = Object.entries(responses).map(([status, raw]) => {
    const response = obj(raw) ?? {}
    const schema = jsonSchemaOf(response.content)
    return `<tr><td>${escapeHtml(status)}</td><td>${escapeHtml(str(response.description) ?? '')}</td><td>${schema ? `<code>${typeOf(schema)}</code>` : ''}</td></tr>`
  })
  parts.push(
    `<h4>Responses</h4><table><thead><tr><th>status</th><th>meaning</th><th>body</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`,
  )
  return parts.join('\n')
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;display:flex}
nav{width:280px;flex:none;padding:16px;border-right:1px solid #ddd;height:100vh;overflow:auto;position:sticky;top:0;box-sizing:border-box}
nav a{display:block;text-decoration:none;color:inherit;padding:2px 0;font-size:13px}
main{padding:16px 32px;max-width:960px}
h1{margin-top:0}code{font:13px ui-monospace,monospace;background:#f4f4f5;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #e4e4e7;padding:4px 8px;text-align:left;vertical-align:top;font-size:14px}
.op{border-top:1px solid #ddd;padding-top:8px;margin-top:24px}.summary{font-weight:600}.auth{color:#555;font-size:13px}
.method{display:inline-block;min-width:56px;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.get{background:#2563eb}.post{background:#16a34a}.put{background:#d97706}.delete{background:#dc2626}.patch{background:#7c3aed}
.req{color:#dc2626;font-size:12px}`

/** The whole page for an OpenAPI 3.x document. */
export function renderReference(document: object): string {
  const doc = document as JsonObject
  const info = obj(doc.info) ?? {}
  const title = str(info.title) ?? 'API reference'
  const paths = obj(doc.paths) ?? {}
  const nav: string[] = []
  const sections: string[] = []
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = obj(rawItem) ?? {}
    for (const method of METHODS) {
      const op = obj(item[method])
      if (!op) continue
      const id = `${method}-${path}`.replace(/[^A-Za-z0-9_-]/g, '-')
      nav.push(`<a href="#${id}"><span class="method ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a>`)
      sections.push(operationHtml(path, method, op))
    }
  }
  const schemas = obj(obj(doc.components)?.schemas) ?? {}
  const schemaSections = Object.entries(schemas).map(
    ([name, raw]) => `<section id="${anchor(name)}"><h3>${escapeHtml(name)}</h3>${fieldTable(obj(raw) ?? {})}</section>`,
  )
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><nav><strong>${escapeHtml(title)}</strong>${nav.join('')}<p><a href="/openapi.json">openapi.json</a></p></nav>
<main><h1>${escapeHtml(title)} <small>${escapeHtml(str(info.version) ?? '')}</small></h1>
${str(info.description) ? `<p>${escapeHtml(str(info.description)!)}</p>` : ''}
${sections.join('\n')}
<h2>Schemas</h2>
${schemaSections.join('\n')}
</main></body></html>`
}
