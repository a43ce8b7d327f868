import { FormatError } from '../errors.ts'
import { type PortableRecord, parseRecord } from './records.ts'

/**
 * The JSON Lines codec of the portable format, streaming both ways: neither side holds more than one
 * line (plus the chunk being read) in memory, so a million memories pass through in constant space.
 */

type Source<T> = AsyncIterable<T> | Iterable<T>

/** One line per record: `JSON.stringify(record) + "\n"`. */
export async function* encodeJsonLines(records: Source<PortableRecord>): AsyncGenerator<string> {
  for await (const record of records) yield `${JSON.stringify(record)}\n`
}

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

/**
 * Parses JSON Lines into validated records (parseRecord), in order. A line that is empty, not JSON or
 * not a valid record fails with a FormatError naming it; its records' positions are their line numbers.
 */
export async function* decodeJsonLines(chunks: Source<string | Uint8Array>, options: DecodeOptions = {}): AsyncGenerator<PortableRecord> {
  for await (const { line, text } of splitLines(chunks, options)) {
    if (text.trim() === '') throw new FormatError('is empty (every line of an export holds one JSON record)', { line })
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      throw new FormatError(`is not JSON (${err instanceof Error ? err.message : String(err)})`, { line }, { cause: err })
    }
    yield parseRecord(value, line)
  }
}
