/**
 * SQL built from fixed text and bound parameters only: user input (metadata keys and values, ids,
 * vectors) never becomes SQL text. A fragment is a list of text pieces and parameters; `render`
 * numbers the parameters ($1, $2, ...) in order. Every parameter is sent as text and cast in SQL, so
 * drivers do not reinterpret it (postgres.js would JSON-encode a string bound to a jsonb parameter).
 */
export class Param {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
}

export type Sql = readonly (string | Param)[]

/** Tagged template: `sql\`x = ${param(v)}\`` or nested fragments (`${otherFragment}`). */
export function sql(strings: TemplateStringsArray, ...values: (Param | Sql)[]): Sql {
  const out: (string | Param)[] = []
  strings.forEach((text, i) => {
    if (text) out.push(text)
    if (i < values.length) {
      const value = values[i]!
      if (value instanceof Param) out.push(value)
      else out.push(...value)
    }
  })
  return out
}

export const param = (value: string): Param => new Param(value)
/** A JSON value bound as text and cast to jsonb. */
export const jsonParam = (value: unknown): Sql => sql`${param(JSON.stringify(value))}::text::jsonb`

export function join(parts: readonly Sql[], separator: string): Sql {
  const out: (string | Param)[] = []
  parts.forEach((part, i) => {
    if (i > 0) out.push(separator)
    out.push(...part)
  })
  return out
}

export function render(fragment: Sql): { text: string; values: string[] } {
  let text = ''
  const values: string[] = []
  for (const piece of fragment) {
    if (typeof piece === 'string') text += piece
    else {
      values.push(piece.value)
      text += `$${values.length}::text`
    }
  }
  return { text, values }
}

/** A quoted identifier; the config schema already restricts names to [a-z0-9_]. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
