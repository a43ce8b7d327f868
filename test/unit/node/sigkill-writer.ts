// A Node writer for test/unit/node/file-storage-sigkill.test.ts: adds memories to a FileStorage directory
// in a loop and prints each acknowledged id, until it is killed.
import { Memory } from '../../../src/index.ts'
import { FileStorage } from '../../../node/file-storage.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

const [directory, label] = process.argv.slice(2) as [string, string]
const memory = new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage: new FileStorage(directory) })
for (let i = 0; ; i++) {
  const { results } = await memory.add(`${label} note ${i}`, { userId: 'writer', infer: false })
  if (i % 3 === 2) await memory.update(results[0]!.id, `${label} note ${i} (edited)`)
  process.stdout.write(
    `${JSON.stringify({ id: results[0]!.id, text: i % 3 === 2 ? `${label} note ${i} (edited)` : `${label} note ${i}` })}\n`,
  )
}
