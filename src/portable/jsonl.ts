import { type DecodeOptions, parseJsonLines } from './lines.ts'
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

/**
 * Parses JSON Lines into validated records (parseRecord), in order. A line that is empty, not JSON or
 * not a valid record fails with a FormatError naming it; its records' positions are their line numbers.
 */
export async function* decodeJsonLines(chunks: Source<string | Uint8Array>, options: DecodeOptions = {}): AsyncGenerator<PortableRecord> {
  for await (const { line, value } of parseJsonLines(chunks, options)) yield parseRecord(value, line)
}
