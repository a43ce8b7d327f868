import { FormatError } from '../errors.ts'

/**
 * Lines of a text stream, for the JSON Lines codec (jsonl.ts) and for readers that must not load the
 * record schemas (the client of edgemem/client): no imports beyond the errors.
 */

type Source<T> = AsyncIterable<T> | Iterable<T>

/** Longest line the decoder accepts (a memory with a 4096-float vector is about 90 KB). */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024

export interface DecodeOptions {
  /** A longer line fails with a FormatError naming it. Default 8 MiB. */
  maxLineBytes?: number
}

/**
 * Splits a stream of text or UTF-8 byte chunks (split anywhere, even inside a character) into lines,
 * numbered from 1. A final newline ends the last line; `\r\n` counts as one newline.
 */
export async function* splitLines(
  chunks: Source<string | Uint8Array>,
  options: DecodeOptions = {},
): AsyncGenerator<{ line: number; text: string }> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let buffer = ''
  let line = 0
  const decode = (chunk: Uint8Array | undefined, stream: boolean): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream })
    } catch (err) {
      throw new FormatError('is not valid UTF-8', { line: line + 1 }, { cause: err })
    }
  }
  for await (const chunk of chunks) {
    buffer += typeof chunk === 'string' ? chunk : decode(chunk, true)
    let start = 0
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n', start)) {
      line++
      const text = buffer.slice(start, end)
      yield { line, text: text.endsWith('\r') ? text.slice(0, -1) : text }
      start = end + 1
    }
    buffer = buffer.slice(start)
    // Characters are at most 3 UTF-8 bytes per UTF-16 unit: a cheap bound before any encoding.
    if (buffer.length > max) throw new FormatError(`is longer than ${max} bytes`, { line: line + 1 })
  }
  buffer += decode(undefined, false)
  if (buffer.length > 0) {
    line++
    yield { line, text: buffer.endsWith('\r') ? buffer.slice(0, -1) : buffer }
  }
}

/** Each line parsed as JSON (not validated), numbered; an empty line or bad JSON is a FormatError naming it. */
export async function* parseJsonLines(
  chunks: Source<string | Uint8Array>,
  options: DecodeOptions = {},
): AsyncGenerator<{ line: number; value: unknown }> {
  for await (const { line, text } of splitLines(chunks, options)) {
    if (text.trim() === '') throw new FormatError('is empty (every line of an export holds one JSON record)', { line })
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      throw new FormatError(`is not JSON (${err instanceof Error ? err.message : String(err)})`, { line }, { cause: err })
    }
    yield { line, value }
  }
}
